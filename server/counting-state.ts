import type { ClickHouseClient } from '@clickhouse/client';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import type { CounterIndex } from '../pipelines/transforms/index.ts';
import { countingFacts } from '../pipelines/sources/clickhouse-replay.ts';
import { scheduleStoredFuture } from './due-at-start.ts';
import type { DueChanges } from './due-changes.ts';
import { storedUnknownBranches } from './uncounted.ts';

/**
 * What counting under `plan` reads from the store, at a start and at a plan change alike: the
 * stored events' facts into `index` (and the ids received last, so that redeliveries of messages
 * stored but not acked are known), the stored future events' due times onto `due`, and the
 * counts of events from branches the plan does not list.
 */
export async function readCountingState(clickhouse: ClickHouseClient, plan: CompiledPlan, index: CounterIndex, due: DueChanges, opts: { nowMs: number; recentIds: number }) {
  const events = await countingFacts(clickhouse, index, { fromMs: plan.yearStartMs, toMs: plan.yearEndMs, recentIds: opts.recentIds });
  await scheduleStoredFuture(clickhouse, plan, opts.nowMs, due);
  const unlisted = await storedUnknownBranches(clickhouse, plan);
  return { events, unlisted };
}
