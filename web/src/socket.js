// @ts-check
// The live link to /ws. It owns the protocol rules the board depends on: the first frame of a
// connection must be a snapshot, `seq` must rise by exactly one, and any break (close, error,
// gap, no snapshot in time) means reconnect with backoff and start again from a new snapshot.

/**
 * @typedef {'connecting'|'live'|'disconnected'} LinkStatus
 * @typedef {{ status: LinkStatus, attempt: number, retryAt: number|null, reason: string }} LinkState
 * @typedef {{
 *   url: string,
 *   onSnapshot: (msg: any) => void,
 *   onMessage: (msg: any) => void,
 *   onStatus: (s: LinkState) => void,
 *   baseMs?: number, capMs?: number, snapshotTimeoutMs?: number,
 *   random?: () => number,
 * }} SocketOptions
 */

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
  const token = new URLSearchParams(loc.search).get('token');
  return `${proto}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
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

  /** @param {LinkStatus} status @param {string} reason @param {number|null} [retryAt] */
  const report = (status, reason, retryAt = null) => opts.onStatus({ status, attempt, retryAt, reason });

  const open = () => {
    clearTimeout(retryTimer);
    if (stopped) return;
    haveSnapshot = false;
    lastSeq = null;
    report('connecting', attempt === 0 ? '连接中' : `第 ${attempt} 次重连`);
    const sock = new WebSocket(opts.url);
    ws = sock;
    snapshotTimer = setTimeout(() => drop(sock, '未收到快照 / no snapshot'), snapshotTimeoutMs);
    sock.onmessage = (ev) => {
      if (sock !== ws) return;
      let msg;
      try {
        msg = JSON.parse(typeof ev.data === 'string' ? ev.data : '');
      } catch {
        return drop(sock, '消息格式错误 / bad frame');
      }
      if (!haveSnapshot) {
        if (msg?.type !== 'snapshot') return drop(sock, '首条消息不是快照 / no snapshot first');
        clearTimeout(snapshotTimer);
        haveSnapshot = true;
        lastSeq = typeof msg.seq === 'number' ? msg.seq : null;
        attempt = 0;
        opts.onSnapshot(msg);
        report('live', '实时');
        return;
      }
      if (typeof msg?.seq === 'number') {
        if (lastSeq !== null && msg.seq !== lastSeq + 1) {
          return drop(sock, `序号跳变 / seq gap ${lastSeq} → ${msg.seq}`);
        }
        lastSeq = msg.seq;
      }
      if (msg?.type === 'snapshot') {
        // A server may resend a snapshot on its own (e.g. after a plan change): take it whole.
        opts.onSnapshot(msg);
        return;
      }
      opts.onMessage(msg);
    };
    sock.onclose = (ev) => {
      if (sock === ws) scheduleRetry(`连接关闭 / closed (${ev.code})`);
    };
    // An error is always followed by close; close does the bookkeeping.
    sock.onerror = () => {};
  };

  /** @param {WebSocket} sock @param {string} reason */
  const drop = (sock, reason) => {
    if (sock !== ws) return;
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
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(snapshotTimer);
      globalThis.removeEventListener?.('online', onOnline);
      const s = ws;
      ws = null;
      s?.close(1000, 'page closed');
    },
  };
}
