import { catchUpCounterHistory } from '../pipelines/sinks/counter-history.ts';
import type { Logger } from './monitor-types.ts';
import type { Monitor } from './monitor.ts';

/**
 * Once a start counts (the lease held, every stored event read back): the analysts' counter
 * history (`counters_current`, the year's final board) gets a row for each cell a crash or a
 * failed write left behind. A failure is logged; the live rows go on regardless.
 */
export async function historyCaughtUp(monitor: Pick<Monitor, 'clickhouse' | 'index' | 'plan'>, nowMs: number, log: Logger): Promise<void> {
  try {
    const cells = await catchUpCounterHistory(monitor.clickhouse, monitor.index.rows(nowMs), monitor.plan.year, nowMs);
    // after an upgrade the counting rules may have moved too (docs/OPERATIONS.md, "Upgrading"): not only a crash
    if (cells > 0) log.info({ cells }, 'counter history caught up: cells whose last written counts differ from the counters read back now (a crash or a failed write left them behind, or, after an upgrade, this version counts by a changed rule: docs/OPERATIONS.md "Upgrading")');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'counter history catch-up failed: counters_current may lag until each cell changes');
  }
}
