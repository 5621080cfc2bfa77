// @ts-check
// Whether tickets reach the board at all. A link that is live and a pipeline that keeps up say
// nothing about an intake that sends nothing: an empty or silent stream had looked like "all
// normal, live" (found by an audit). The board says when the last ticket arrived (the heartbeat's
// `pipeline.lastBatchAt`), that none has arrived yet, or how long none has. A quiet stream is not
// an outage — a small bank has nights and weekends without tickets — so this stays grey; red
// is for a broker or consumer that is down (data-quality.js).

import { duration, shortTime } from './format.js';

/** No ticket for this long (default; `?quietHours=` on the page) is said in words. */
export const QUIET_MS = 3 * 60 * 60 * 1000;

/**
 * @typedef {{ state: 'never'|'none-since-start'|'recent'|'quiet', lastAt: string|null, quietForMs: number|null }} Intake
 * @param {{ lastBatchAt?: string|null, lastTicketAt?: string|null }|null} pipeline the heartbeat's pipeline facts
 * @param {{ nowMs: number|null, anyCounted: boolean, quietMs?: number }} facts nowMs on the server's clock
 * @returns {Intake|null} null while the page knows nothing of the pipeline yet
 */
export function intakeState(pipeline, facts) {
  if (!pipeline) return null;
  // a new event stored (lastTicketAt), not any batch: a batch of repeats is no new ticket
  const lastAt = pipeline.lastTicketAt !== undefined ? pipeline.lastTicketAt : (pipeline.lastBatchAt ?? null);
  const last = lastAt ? Date.parse(lastAt) : NaN;
  // lastBatchAt is the monitor's since its start: counted tickets mean some came before it
  if (!Number.isFinite(last)) return { state: facts.anyCounted ? 'none-since-start' : 'never', lastAt: null, quietForMs: null };
  const quietForMs = facts.nowMs == null ? 0 : Math.max(0, facts.nowMs - last);
  return { state: quietForMs > (facts.quietMs ?? QUIET_MS) ? 'quiet' : 'recent', lastAt, quietForMs };
}

/**
 * @param {Intake} i @param {string} tz
 * @param {{ intakeNever: string, intakeNoneSinceStart: string, intakeLast: (t: string) => string, intakeQuiet: (t: string, d: string) => string }} T
 */
export function intakeText(i, tz, T) {
  if (i.state === 'never') return T.intakeNever;
  if (i.state === 'none-since-start') return T.intakeNoneSinceStart;
  const at = shortTime(i.lastAt, tz);
  return i.state === 'quiet' ? T.intakeQuiet(at, duration(i.quietForMs)) : T.intakeLast(at);
}

/**
 * Whether any ticket has been counted this plan year (bank-wide first contacts).
 * @param {import('./state.js').BoardState} state
 */
export function anyCounted(state) {
  for (const byScope of Object.values(state.counters)) if ((byScope.ALL?.firstContactCustomers ?? 0) > 0) return true;
  return false;
}
