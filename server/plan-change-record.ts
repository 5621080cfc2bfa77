import type { ClickHouseClient } from '@clickhouse/client';
import type { CounterRow } from '../pipelines/model.ts';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { chTime } from '../pipelines/sinks/clickhouse-time.ts';
import { writeCounterChanges } from '../pipelines/sinks/counter-history.ts';
import type { Logger } from './monitor-types.ts';
import { planHash, recordPlanInForce } from './plan-in-force.ts';

// The store's record of a runtime plan change (PUT /api/plan): its complaints.plan_changes row,
// the plan_in_force row with its curve, and every counter as the change left it. The change is
// in force, and announced, before any of this is written (the monitor's memory is what counts
// and alerts), so a store that refuses the record must not undo or hide the change: the record
// is retried until it lands, with the change's own time, and meanwhile the failure is logged and
// shown (`pendingWarning`, /api/health planFileWarning). Without the record, a restart would
// put the PLAN file back in force without the warning that a later change was set aside.

export interface PlanChangeRecord {
  atMs: number;
  plan: CompiledPlan;
  /** the complaints.plan_changes row */
  change: Record<string, unknown>;
  /** every counter right after the swap, for complaints.counter_changes */
  rows: readonly CounterRow[];
  by: string;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

interface Job {
  record: PlanChangeRecord;
  /** the parts already written: a retry writes only the rest */
  done: Set<string>;
  attempts: number;
  lastError?: string;
  /** answers the request that made the change, after the first attempt */
  firstAttempt?: (notRecorded: string | undefined) => void;
}

export class PlanChangeRecorder {
  /** oldest first: a change is written only once those before it are */
  private readonly queue: Job[] = [];
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;

  constructor(
    private readonly clickhouse: ClickHouseClient,
    private readonly log: Logger,
    /** called with a warning while a record is pending, and with undefined once all landed */
    private readonly onPending: (warning: string | undefined) => void,
  ) {}

  /** Queues the record; resolves after its first attempt, with undefined when it landed, else why not. */
  record(record: PlanChangeRecord): Promise<string | undefined> {
    const job: Job = { record, done: new Set(), attempts: 0 };
    const earlier = this.queue[0];
    this.queue.push(job);
    // an earlier change's record, still retried, holds this one back: not recorded yet, and said so
    if (earlier) return Promise.resolve(`waiting for the record of the change at ${iso(earlier.record.atMs)} (${earlier.lastError ?? 'being written'})`);
    return new Promise((resolve) => {
      job.firstAttempt = resolve;
      this.kick();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** what onPending was last told; undefined when nothing is pending */
  get warning(): string | undefined {
    return this.queue.length > 0 ? this.lastWarning : undefined;
  }

  private lastWarning?: string;

  /** At close: one last try of what is pending, and an error naming what is lost. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.queue.length > 0) await this.drain();
    for (const { record, lastError } of this.queue) {
      this.log.error({ at: iso(record.atMs), by: record.by, newHash: planHash(record.plan), err: lastError }, 'plan change never recorded in ClickHouse (plan_changes / plan_in_force)');
    }
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => (this.running = undefined));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const job = this.queue[0]!;
      job.attempts++;
      try {
        await this.write(job.record, job.done, job.attempts > 1);
      } catch (err) {
        job.lastError = (err as Error).message || String(err);
        job.firstAttempt?.(job.lastError);
        job.firstAttempt = undefined;
        this.log.error({ err: job.lastError, attempt: job.attempts, at: iso(job.record.atMs), retryInMs: this.retryMs }, 'plan change in force but not recorded in ClickHouse; retrying');
        this.onPending(
          (this.lastWarning = `the plan change of ${iso(job.record.atMs)} by ${job.record.by} is in force but not yet recorded in ClickHouse ` +
            `(${job.lastError}; ${job.attempts} attempts, retrying): until it is, a restart would put the PLAN file back without warning that this change was set aside`),
        );
        if (!this.stopped) this.timer = setTimeout(() => this.kick(), this.retryMs).unref();
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
        return;
      }
      this.queue.shift();
      job.firstAttempt?.(undefined);
      this.retryMs = FIRST_RETRY_MS;
      if (job.attempts > 1) this.log.info({ at: iso(job.record.atMs), attempts: job.attempts }, 'plan change recorded in ClickHouse');
      if (this.queue.length === 0) this.onPending((this.lastWarning = undefined));
    }
  }

  /** Each part once: a retry skips what landed, and looks before writing again (an insert that
   * timed out may have been stored all the same). */
  private async write({ atMs, plan, change, rows }: PlanChangeRecord, done: Set<string>, retry: boolean): Promise<void> {
    const hash = planHash(plan);
    if (!done.has('plan_changes')) {
      if (!retry || !(await this.holds('plan_changes', 'changed_at', 'new_hash', atMs, hash))) {
        await this.clickhouse.insert({ table: 'complaints.plan_changes', format: 'JSONEachRow', values: [change] });
      }
      done.add('plan_changes');
    }
    if (!done.has('plan_in_force')) {
      if (!retry || !(await this.holds('plan_in_force', 'since', 'plan_hash', atMs, hash))) await recordPlanInForce(this.clickhouse, plan, atMs, 'change');
      done.add('plan_in_force');
    }
    if (!done.has('counter_changes')) {
      await writeCounterChanges(this.clickhouse, rows, plan.year, atMs, 'plan-change');
      done.add('counter_changes');
    }
  }

  private async holds(table: string, timeColumn: string, hashColumn: string, atMs: number, hash: string): Promise<boolean> {
    const rs = await this.clickhouse.query({
      query: `SELECT count() AS n FROM complaints.${table} WHERE ${timeColumn} = {at:DateTime64(3, 'UTC')} AND ${hashColumn} = {hash:String}`,
      query_params: { at: chTime(atMs), hash },
      format: 'JSONEachRow',
    });
    const [{ n } = { n: '0' }] = await rs.json<{ n: string }>();
    return Number(n) > 0;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
