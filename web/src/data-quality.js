// The board's word on its own data. Messages the last hour could not count (dead letters): a
// ticket system that changes its date format dead-letters every event, the counters then stop
// rising and the wall would look calm; any dead letter in the hour shows a pill, a large share
// turns it red. And when the pipeline stalls, which part failed, so the room calls the right team.

import { duration } from './format.js';

/** From this share of the hour's messages the input itself is broken, not a stray ticket. */
export const BROKEN_SHARE = 0.1;

/**
 * `since`: the monitor's start, while less than an hour ago: the window holds only this run.
 * @typedef {{ received: number, deadLetters: number, lastDeadLetterAt?: string|null, since?: string|null }} DeadLetterHour
 * @param {{ deadLetters?: DeadLetterHour|null }|null|undefined} pipeline
 * @returns {{ level: 'watch'|'critical', count: number, share: number, sinceStart: boolean }|null}
 */
export function deadLetterWarning(pipeline) {
  const hour = pipeline?.deadLetters;
  if (!hour || !(hour.deadLetters > 0)) return null;
  const share = hour.received > 0 ? hour.deadLetters / hour.received : 1;
  return { level: share >= BROKEN_SHARE ? 'critical' : 'watch', count: hour.deadLetters, share, sinceStart: !!hour.since };
}

/**
 * @param {HTMLElement} el
 * @param {any} pipeline
 * @param {{ deadLetters: (n: number, sinceStart: boolean) => string, deadLettersShare: (pct: number, sinceStart: boolean) => string }} T
 */
export function renderDeadLetters(el, pipeline, T) {
  const w = deadLetterWarning(pipeline);
  el.hidden = !w;
  if (!w) return;
  el.dataset.level = w.level;
  el.textContent = w.level === 'critical' ? T.deadLettersShare(Math.round(w.share * 100), w.sinceStart) : T.deadLetters(w.count, w.sinceStart);
}

/**
 * Whether the numbers have stopped: the pipeline is not consuming, it has fallen behind, the
 * broker is unreachable (new tickets cannot arrive; waiting for the lag to grow took 2 minutes),
 * or ClickHouse refuses the writes.
 * @param {any} pipeline the heartbeat's pipeline facts @param {number} lagStaleMs
 */
export function pipelineStalled(pipeline, lagStaleMs) {
  if (!pipeline) return false;
  return pipeline.consuming === false || (!!pipeline.nats && pipeline.nats !== 'connected') || (typeof pipeline.lagMs === 'number' && pipeline.lagMs > lagStaleMs)
    // ClickHouse refusing the writes: the messages wait in flight, so the lag does not grow;
    // a single failed write, retried a second later, is not a stall
    || (typeof pipeline.writeFailingMs === 'number' && pipeline.writeFailingMs >= STORE_STALL_MS)
    // a ClickHouse server away with no ticket coming (a night): the next ones cannot be stored
    || (typeof pipeline.storeUnansweredMs === 'number' && pipeline.storeUnansweredMs >= STORE_STALL_MS);
}

/** How long the event writes fail before the wall says the numbers have stopped. */
export const STORE_STALL_MS = 10_000;

/**
 * The stalled-pipeline banner's words: the server is up but the numbers are not moving, and why.
 * @param {any} pipeline
 * @param {{ pipelineNote: string, stallNats: string, stallStore: string, stallStoreAway: string, stallIdle: string, stallBehind: (d: string) => string }} T
 */
export function stallNote(pipeline, T) {
  const reason = !pipeline ? ''
    : pipeline.nats && pipeline.nats !== 'connected' ? T.stallNats
      : pipeline.writeError || typeof pipeline.writeFailingMs === 'number' ? T.stallStore
        : typeof pipeline.storeUnansweredMs === 'number' ? T.stallStoreAway
        : pipeline.consuming === false ? T.stallIdle
          : typeof pipeline.lagMs === 'number' ? T.stallBehind(duration(pipeline.lagMs)) : '';
  return reason ? `${T.pipelineNote} · ${reason}` : T.pipelineNote;
}
