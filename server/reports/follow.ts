import type { ClickHouseClient } from '@clickhouse/client';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Observable } from 'rxjs';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import type { CounterIndex } from '../../pipelines/transforms/index.ts';
import type { CounterChange, Logger } from '../monitor-types.ts';
import { awaitCaughtUp, streamPosition } from './catch-up.ts';
import { produceReview, storedCompleteness, weeksChangedSince } from './data.ts';
import { storeVerdict, weeksToProduce } from './store-rule.ts';

// Stored reviews follow what changes them without waiting for the next check (every
// WEEKLY_REVIEW_CHECK_MS, 10 min by default): a committed batch that changed the past (events for
// finished weeks, such as a first day's back-fill of the year so far) or a plan change
// (PUT /api/plan) makes the monitor look, once such changes have gone quiet, for the stored weeks
// out of date (data.ts weeksChangedSince: later events, another plan) and produce them again.
// A first day's first check, 5 s in, may find the monitor caught up with a back-fill still being
// published and store the week from part of it; the stored row is now replaced as soon as the
// back-fill is read, not up to 10 minutes later (audit CB F5), and a plan change's reviews follow
// the plan within seconds (CB F3). Started once the counters hold every stored event.

/** quiet this long after the last past-changing batch before looking */
export const QUIET_MS = 5_000;
/** but never wait longer than this after the first (a back-fill that never pauses) */
export const MAX_WAIT_MS = 60_000;
/** between two looks, at least (each reads the year's events once) */
export const MIN_GAP_MS = 10_000;
/** a look that could not store (behind, broker away, a failed query) is tried again after */
export const RETRY_MS = 30_000;

/** When to look next: `firstAt`/`lastAt` the first and latest past-changing batch since the last look. */
export function nextLookAt(firstAt: number, lastAt: number, lastLookEndedAt: number): number {
  return Math.max(lastLookEndedAt + MIN_GAP_MS, Math.min(lastAt + QUIET_MS, firstAt + MAX_WAIT_MS));
}

export interface FollowedMonitor {
  readonly changes: Observable<CounterChange>;
  readonly clickhouse: ClickHouseClient;
  readonly plan: CompiledPlan;
  readonly index: CounterIndex;
  readonly nc: NatsConnection;
  readonly config: { consumerName: string; weeklyReviewCheckMs: number };
}

/** One look: 'done' (nothing out of date, or produced again), 'wait' (could not store now). */
export async function produceOutOfDate(monitor: FollowedMonitor, log: Logger, now: () => number): Promise<'done' | 'wait'> {
  const { plan, clickhouse: ch } = monitor;
  const last = Math.min(plan.weekIndexAt(now()), plan.weeks.length);
  if (last < 1) return 'done';
  const stored = await storedCompleteness(ch, plan.year);
  const weeks = weeksToProduce(last, stored, await weeksChangedSince(ch, plan, stored));
  if (weeks.length === 0) return 'done';
  const asked = now(); // caught up below: every event received before this instant is committed
  const { nc, config } = monitor;
  const behind = await awaitCaughtUp(nc, config.consumerName, 10_000);
  const pos = behind === 0 ? await streamPosition(nc, config.consumerName) : undefined;
  const v = storeVerdict(behind === 0 && !pos ? null : behind, pos?.lastAtMs ?? 0, plan.weeks[weeks[weeks.length - 1]! - 1]!.endMs);
  if (!v.store) return 'wait';
  for (const week of weeks) {
    // the counters of the plan that was asked about: a plan swapped meanwhile is looked at again
    if (monitor.plan !== plan) return 'wait';
    // a year's weeks take a minute on a year of bench data: skip those the monitor's own check produced meanwhile
    if (stored.has(week) && !(await stillOutOfDate(ch, plan, week))) continue;
    await produceReview(ch, plan, monitor.index, week, now(), asked);
    log.info({ year: plan.year, week, replaced: stored.has(week) }, stored.has(week) ? 'weekly review produced again: out of date (events for the week, or another plan)' : 'weekly review produced');
  }
  return 'done';
}

async function stillOutOfDate(ch: ClickHouseClient, plan: CompiledPlan, week: number): Promise<boolean> {
  const completeUntil = (await storedCompleteness(ch, plan.year)).get(week);
  return completeUntil === undefined || (await weeksChangedSince(ch, plan, new Map([[week, completeUntil]]))).length > 0;
}

/** Follows the monitor's committed changes until they complete (its stop). Off with WEEKLY_REVIEW_CHECK_MS=0. */
export function followReviews(monitor: FollowedMonitor, log: Logger, now: () => number): void {
  if (monitor.config.weeklyReviewCheckMs === 0) return;
  let firstAt: number | undefined;
  let lastAt = 0;
  let lookEndedAt = Number.NEGATIVE_INFINITY;
  let looking = false;
  let ended = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (atMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void look(), Math.max(0, atMs - now()));
    timer.unref();
  };
  const look = async () => {
    if (looking || ended) return;
    [looking, firstAt] = [true, undefined];
    let outcome: 'done' | 'wait' = 'wait';
    try {
      outcome = await produceOutOfDate(monitor, log, now);
    } catch (err) {
      if (!ended) log.warn({ err: (err as Error).message }, 'weekly reviews not produced again; will retry');
    } finally {
      [looking, lookEndedAt] = [false, now()];
    }
    if (ended) return;
    if (firstAt !== undefined) schedule(nextLookAt(firstAt, lastAt, lookEndedAt)); // changed again meanwhile
    else if (outcome === 'wait') schedule(lookEndedAt + RETRY_MS);
  };
  monitor.changes.subscribe({
    next: (change) => {
      if (!change.retroactive) return;
      lastAt = now();
      firstAt ??= lastAt;
      if (!looking) schedule(nextLookAt(firstAt, lastAt, lookEndedAt));
    },
    complete: () => {
      ended = true;
      clearTimeout(timer);
    },
  });
}
