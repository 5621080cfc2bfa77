// @ts-check
// The live link to /ws. It owns the protocol rules the board depends on: the first frame of a
// connection must be a snapshot, `seq` must rise by exactly one, and any break (close, error,
// gap, no snapshot in time, silence longer than three server heartbeats) means reconnect with
// backoff. A page that already holds a consistent picture asks for the frames it missed
// (`?since=<seq>&epoch=<id>`); the server answers with `resume` and those frames, or with a
// snapshot when it cannot (restart, frames evicted). After a gap or a bad frame the page asks
// for a snapshot, since its picture may be wrong. The page also says hello and heartbeats back,
// so the server knows which screens are alive.

/**
 * @typedef {'connecting'|'live'|'disconnected'} LinkStatus
 * @typedef {{ status: LinkStatus, attempt: number, retryAt: number|null, reason: string }} LinkState
 * @typedef {{
 *   url: string,
 *   onSnapshot: (msg: any) => void,
 *   onResume?: (msg: any) => void,
 *   onMessage: (msg: any) => void,
 *   onStatus: (s: LinkState) => void,
 *   baseMs?: number, capMs?: number, snapshotTimeoutMs?: number,
 *   random?: () => number,
 *   screen?: { id: string, name: string, kiosk?: boolean },
 *   screenHeartbeatMs?: number,
 * }} SocketOptions
 */

/** A stable id per display (kept in localStorage) so the server can tell screens apart. */
export function screenId() {
  try {
    let id = localStorage.getItem('wallboard.screenId');
    if (!id) localStorage.setItem('wallboard.screenId', (id = `s-${Math.random().toString(36).slice(2, 10)}`));
    return id;
  } catch {
    return `s-${Math.random().toString(36).slice(2, 10)}`;
  }
}

/**
 * Delay before reconnect attempt n (0-based): 1s, 2s, 4s … capped at 30s, each scaled down by up
 * to 30% at random so a room of wall displays does not reconnect in lockstep after a restart.
 * @param {number} attempt
 * @param {number} [baseMs]
 * @param {number} [capMs]
 * @param {() => number} [random]
 */
export function backoffDelay(attempt, baseMs = 1000, capMs = 30000, random = Math.random) {
  const d = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(d * (0.7 + 0.3 * random()));
}

/**
 * ws(s)://<same host>/ws, carrying ?token= from the page URL when present.
 * @param {Location} loc
 */
export function wsUrl(loc) {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = new URLSearchParams(loc.search);
  const token = q.get('token');
  // view=wall: snapshots in the wall's brief form (latest alerts, no whole histories)
  const params = ['view=wall'];
  if (token) params.push(`token=${encodeURIComponent(token)}`);
  if (q.has('masked')) params.push('masked=1');
  return `${proto}//${loc.host}/ws?${params.join('&')}`;
}

/**
 * @param {string} url
 * @param {{ seq: number, epoch: string }|null} since
 */
export function withSince(url, since) {
  if (!since) return url;
  return `${url}${url.includes('?') ? '&' : '?'}since=${since.seq}&epoch=${encodeURIComponent(since.epoch)}`;
}

/** @param {SocketOptions} opts */
export function connectWallboard(opts) {
  const baseMs = opts.baseMs ?? 1000;
  const capMs = opts.capMs ?? 30000;
  const snapshotTimeoutMs = opts.snapshotTimeoutMs ?? 10000;
  const random = opts.random ?? Math.random;

  /** @type {WebSocket|null} */
  let ws = null;
  let attempt = 0;
  /** @type {number|null} */
  let lastSeq = null;
  let haveSnapshot = false;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let retryTimer;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let snapshotTimer;
  let stopped = false;
  /** where to resume from on the next connection; null: ask for a snapshot */
  /** @type {{ seq: number, epoch: string }|null} */
  let resumable = null;
  /** @type {string|null} */
  let epoch = null;
  let heartbeatMs = 5000;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let watchdog;
  /** @type {ReturnType<typeof setInterval>|undefined} */
  let beat;
  // A monitor stopping says so (1001); while it restarts its port refuses the reconnects, each a
  // bare 1006, which had replaced those words by "connection lost" within a second (soak CE F5).
  // The stop's words stay until a link opens again.
  /** @type {string|null} */
  let stoppedWords = null;

  // Three server heartbeats of silence: the link is dead even if TCP has not noticed.
  const arm = (/** @type {WebSocket} */ sock) => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => drop(sock, '无心跳 / no heartbeat', true), heartbeatMs * 3 + 1000);
  };
  const sendScreen = (/** @type {WebSocket} */ sock, /** @type {'hello'|'heartbeat'} */ type) => {
    if (!opts.screen || sock.readyState !== 1) return;
    sock.send(JSON.stringify({ type, screenId: opts.screen.id, name: opts.screen.name, kiosk: opts.screen.kiosk === true, lastSeq }));
  };

  /** @param {LinkStatus} status @param {string} reason @param {number|null} [retryAt] */
  const report = (status, reason, retryAt = null) => opts.onStatus({ status, attempt, retryAt, reason });

  const open = () => {
    clearTimeout(retryTimer);
    if (stopped) return;
    haveSnapshot = false;
    lastSeq = null;
    report('connecting', attempt === 0 ? '连接中' : `第 ${attempt} 次重连`);
    const asked = resumable;
    const sock = new WebSocket(withSince(opts.url, asked));
    ws = sock;
    snapshotTimer = setTimeout(() => drop(sock, '未收到快照 / no snapshot'), snapshotTimeoutMs);
    let opened = false;
    sock.onopen = () => {
      opened = true;
      stoppedWords = null;
      sendScreen(sock, 'hello');
      clearInterval(beat);
      beat = setInterval(() => sendScreen(sock, 'heartbeat'), opts.screenHeartbeatMs ?? 10000);
    };
    sock.onmessage = (ev) => {
      if (sock !== ws) return;
      let msg;
      try {
        msg = JSON.parse(typeof ev.data === 'string' ? ev.data : '');
      } catch {
        return drop(sock, '消息格式错误 / bad frame');
      }
      if (typeof msg?.heartbeatMs === 'number' && msg.heartbeatMs > 0) heartbeatMs = msg.heartbeatMs;
      arm(sock);
      // Answer each server heartbeat: the server's silence limit then follows its own period.
      if (msg?.type === 'heartbeat') sendScreen(sock, 'heartbeat');
      if (!haveSnapshot) {
        const resumed = msg?.type === 'resume' && asked !== null && msg.seq === asked.seq && msg.epoch === asked.epoch;
        if (msg?.type !== 'snapshot' && !resumed) return drop(sock, '首条消息不是快照 / no snapshot first');
        clearTimeout(snapshotTimer);
        haveSnapshot = true;
        lastSeq = typeof msg.seq === 'number' ? msg.seq : null;
        epoch = typeof msg.epoch === 'string' ? msg.epoch : epoch;
        attempt = 0;
        resumable = epoch && lastSeq !== null ? { seq: lastSeq, epoch } : null;
        if (resumed) opts.onResume?.(msg);
        else opts.onSnapshot(msg);
        report('live', '实时');
        return;
      }
      if (typeof msg?.seq === 'number') {
        // a snapshot is a whole picture: one sent to a screen that fell behind skips the frames
        // it was too slow for, and says so by its seq
        if (lastSeq !== null && msg.seq !== lastSeq + 1 && msg.type !== 'snapshot') {
          return drop(sock, `序号跳变 / seq gap ${lastSeq} → ${msg.seq}`);
        }
        lastSeq = msg.seq;
        if (epoch) resumable = { seq: msg.seq, epoch };
      }
      if (msg?.type === 'snapshot') {
        epoch = typeof msg.epoch === 'string' ? msg.epoch : epoch;
        // A server may resend a snapshot on its own (e.g. after a plan change): take it whole.
        opts.onSnapshot(msg);
        return;
      }
      opts.onMessage(msg);
    };
    sock.onclose = (ev) => {
      if (sock !== ws) return;
      // 4401 / 4403: the server refused this screen's token; say so, or the room waits for a
      // server that is up (the screen keeps retrying: the token may be set right meanwhile)
      const words = closeText(ev.code, ev.reason);
      if (ev.code === 1001 || ev.code === 1012) stoppedWords = words;
      scheduleRetry(!opened && stoppedWords ? stoppedWords : words);
    };
    // An error is always followed by close; close does the bookkeeping.
    sock.onerror = () => {};
  };

  /** @param {WebSocket} sock @param {string} reason @param {boolean} [keepPicture] */
  const drop = (sock, reason, keepPicture = false) => {
    if (sock !== ws) return;
    // A gap or a bad frame means the picture may be wrong: the next connection takes a snapshot.
    if (!keepPicture) resumable = null;
    try {
      sock.close(4000, 'resync');
    } catch {
      /* already closing */
    }
    scheduleRetry(reason);
  };

  /** @param {string} reason */
  const scheduleRetry = (reason) => {
    clearTimeout(snapshotTimer);
    clearTimeout(watchdog);
    clearInterval(beat);
    clearTimeout(retryTimer);
    ws = null;
    haveSnapshot = false;
    if (stopped) return;
    const delay = backoffDelay(attempt, baseMs, capMs, random);
    attempt += 1;
    report('disconnected', reason, Date.now() + delay);
    retryTimer = setTimeout(open, delay);
  };

  // The network coming back is a better moment to retry than the end of a 30 s backoff.
  const onOnline = () => {
    if (!ws && !stopped) open();
  };
  globalThis.addEventListener?.('online', onOnline);

  open();

  return {
    get lastSeq() {
      return lastSeq;
    },
    /** A fresh snapshot instead of the frames queued: the page is too far behind to work through them. @param {string} reason */
    resync(reason) {
      if (ws && haveSnapshot) drop(ws, reason);
    },
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(snapshotTimer);
      clearTimeout(watchdog);
      clearInterval(beat);
      globalThis.removeEventListener?.('online', onOnline);
      const s = ws;
      ws = null;
      s?.close(1000, 'page closed');
    },
  };
}

/**
 * Why the link ended, in words for the monitoring room (a bare WebSocket code, `closed (1006)`,
 * told nobody anything); the code stays at the end for whoever is called.
 * 4401 / 4403: the server refused this screen's token; said, or the room waits for a server that
 * is up (the screen keeps retrying: the token may be set right meanwhile).
 * @param {number} code @param {string} [reason]
 */
export function closeText(code, reason) {
  if (code === 4401 || code === 4403) return `访问被拒绝，请检查屏幕地址中的 token / access refused${reason ? ` (${reason})` : ''}`;
  if (code === 1001 || code === 1012) return `监测服务停止或重启 / monitor stopping or restarting (${code})`;
  // a standby at this address (another monitor counts): it answers again once it counts here
  if (code === 1013) return `本地址的监测服务为备用，暂不计数 / the monitor here is a standby, not counting (${code})`;
  if (code === 1006) return `与监测服务的连接中断 / connection lost (${code})`;
  return `连接关闭 / closed (${code})`;
}
