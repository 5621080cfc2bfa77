// Wall screens that went silent: `{type:'screen'}` frames on /ws, and the snapshot's `screens`
// for a console opened later. A screen's status, shown above the alerts until it is back, not an
// alert: there is nothing to acknowledge, escalate or correct. /ws carries no network address;
// the console asks GET /api/screens for it, so whoever goes to the screen knows which device.

import { esc, fmt } from './words.js';
import { api } from './api.js';

const silent = new Map();

/** The snapshot's list replaces what was held: a reconnect must not keep a screen that came back. */
export function screensFromSnapshot(list) {
  silent.clear();
  for (const s of list ?? []) applyScreen({ status: 'silent', ...s });
}

/** A status change: silent screens are held, `back` and `forgotten` ones dropped. */
export function applyScreen(msg) {
  if (typeof msg.id !== 'string') return;
  if (msg.status !== 'silent') return void silent.delete(msg.id);
  silent.set(msg.id, { remote: silent.get(msg.id)?.remote, ...msg });
}

/** Lists the silent screens in `host` (hidden when there are none); fills in addresses once known. */
export function renderScreens(host) {
  host.hidden = silent.size === 0;
  host.innerHTML = [...silent.values()].map((s) => `<li data-screen-id="${esc(s.id)}" data-status="silent">
    <b>大屏 ${esc(s.name || s.id)} 无心跳</b> · 最后心跳 last heartbeat ${esc(fmt(s.lastHeartbeat))}${s.remote ? ` · ${esc(s.remote)}` : ''}
    <span class="meta">请检查该屏幕的电源、浏览器与网络；屏幕恢复后自动消失。Check its power, browser and network; this clears itself when the screen is back.</span></li>`).join('');
  const unknown = [...silent.values()].filter((s) => s.remote === undefined);
  if (unknown.length === 0) return;
  for (const s of unknown) s.remote = ''; // asked once per silence
  api('/api/screens').then((r) => {
    for (const e of r.screens ?? []) if (silent.has(e.id) && e.remote) silent.get(e.id).remote = e.remote;
    if (r.screens?.some((e) => silent.has(e.id) && e.remote)) renderScreens(host);
  }).catch(() => { /* the name and the time are what matter; the address is a help */ });
}
