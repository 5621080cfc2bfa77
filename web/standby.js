// The standby page (server/standby.ts): asks the same address again every few seconds and becomes
// the page asked for once a monitor counts there. A fetch, not a meta refresh: a standby that
// restarts leaves its port closed for a moment, and a refresh landing then would leave the
// browser's own error page, which never tries again (audit CN1).
(() => {
  'use strict';
  const EVERY_MS = 5_000;
  const status = () => document.getElementById('standby-status');
  const say = (text) => {
    const el = status();
    if (el) el.textContent = `${new Date().toLocaleTimeString('zh-CN', { hour12: false })} ${text}`;
  };
  const check = async () => {
    try {
      const res = await fetch(location.href, { cache: 'no-store', headers: { accept: 'text/html' } });
      await res.body?.cancel();
      // counting here (200), or the token refused (401/403: the page says so): load it for real.
      // 503 is this standby, or a monitor starting: ask again later.
      if (res.ok || res.status === 401 || res.status === 403) {
        location.reload();
        return;
      }
      say(res.status === 503 ? '仍未在本地址计数，稍后重试 · not counting here yet; trying again' : `回应 ${res.status}，稍后重试 · answered ${res.status}; trying again`);
    } catch {
      say('无法连接（服务可能正在重启），稍后重试 · no answer (restarting?); trying again');
    }
    setTimeout(check, EVERY_MS);
  };
  setTimeout(check, EVERY_MS);
})();
