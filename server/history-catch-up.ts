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
    if (cells > 0) log.info({ cells }, 'counter history caught up: cells whose last written counts a crash or a failed write had left behind');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'counter history catch-up failed: counters_current may lag until each cell changes');
  }
}
