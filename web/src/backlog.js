// @ts-check
// How far behind the server the page's own picture is. A page that works through its frames more
// slowly than they come builds a backlog the server cannot see (its send buffer empties into the
// browser's), and the pipeline's lag says nothing about it: the wall then shows minutes-old
// numbers as "live". The frames carry the server's time: a snapshot, `resume` and `heartbeat` say
// when they were sent; a counter, series or headline says when its change was made, which is at
// or before it was sent. The page's clock need not agree with the server's: the offset between
// them is learnt from the frames, on a monotonic clock, so a clock step on the wall PC changes
// nothing.
//
// Guarantees: `lagMs` never says behind without a frame that proves it (a heartbeat processed
// that long after it was sent, as far as the offset tells); it is never negative; a change frame
// can only lower it (a page that has caught up shows so before the next heartbeat). The offset
// is the largest (server time − local time) seen since the last snapshot or resume: a frame that
// waited is never taken as the server's clock running behind.

/** @typedef {{ offsetMs: number|null, lagMs: number, sampledAt: number|null }} Backlog */

/** from this far behind the page says so instead of "live" */
export const BEHIND_MS = 5000;

/** @returns {Backlog} */
export const emptyBacklog = () => ({ offsetMs: null, lagMs: 0, sampledAt: null });

/** The page's monotonic clock in epoch milliseconds (a wall PC's clock may be stepped). */
export const localNow = () => performance.timeOrigin + performance.now();

/** @param {unknown} iso */
const parse = (iso) => (typeof iso === 'string' ? Date.parse(iso) : NaN);

/**
 * A snapshot or a resume header: the server made it just now; the offset starts again from it
 * (a new connection may reach another server, or one whose clock was set meanwhile).
 * @param {Backlog} b @param {unknown} serverIso @param {number} localMs
 * @returns {Backlog}
 */
export function fromOpening(b, serverIso, localMs) {
  const s = parse(serverIso);
  if (!Number.isFinite(s)) return { ...b, offsetMs: null, lagMs: 0 };
  return { offsetMs: s - localMs, lagMs: 0, sampledAt: localMs };
}

/**
 * A frame stamped with the server's time when it was sent (heartbeat): the page is behind by the
 * time between then and now, in the server's clock.
 * @param {Backlog} b @param {unknown} sentIso @param {number} localMs
 * @returns {Backlog}
 */
export function onSent(b, sentIso, localMs) {
  const s = parse(sentIso);
  if (!Number.isFinite(s)) return b;
  const offsetMs = b.offsetMs === null ? s - localMs : Math.max(b.offsetMs, s - localMs);
  return { offsetMs, lagMs: Math.max(0, localMs + offsetMs - s), sampledAt: localMs };
}

/**
 * A frame stamped with the time of its change (counter, series, headline): sent at or after
 * that time, so the page is at most this far behind. Lowers the figure, never raises it.
 * @param {Backlog} b @param {unknown} changedIso @param {number} localMs
 * @returns {Backlog}
 */
export function onChange(b, changedIso, localMs) {
  const s = parse(changedIso);
  if (b.offsetMs === null || !Number.isFinite(s) || b.lagMs === 0) return b;
  const atMost = Math.max(0, localMs + b.offsetMs - s);
  return atMost < b.lagMs ? { ...b, lagMs: atMost, sampledAt: localMs } : b;
}

/**
 * Applies whatever time a frame carries.
 * @param {Backlog} b @param {any} msg @param {number} localMs
 * @returns {Backlog}
 */
export function backlogStep(b, msg, localMs) {
  switch (msg?.type) {
    case 'snapshot':
    case 'resume':
      return fromOpening(b, msg.asOf, localMs);
    case 'heartbeat':
      return onSent(b, msg.asOf, localMs);
    case 'counter':
    case 'series':
    case 'headline':
      return onChange(b, msg.asOf, localMs);
    default:
      return b;
  }
}
