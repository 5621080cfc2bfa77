import type { ClickHouseClient } from '@clickhouse/client';
import type { CounterRow } from '../model.ts';
import { chTime } from './clickhouse-time.ts';

/** one counter_changes row: a counter cell as it stood after a change */
export function counterRow(row: CounterRow, planYear: number, changedAtMs: number, worker: string) {
  return {
    changed_at: chTime(changedAtMs),
    plan_year: planYear,
    complaint_type: row.complaintType,
    scope: row.scope,
    unresolved_customers: row.unresolvedCustomers,
    first_contact_customers: row.firstContactCustomers,
    allowance_to_date: row.allowanceToDate,
    annual_allowance: row.annualAllowance,
    ratio: row.ratio,
    level: row.level,
    worker,
  };
}

/** rows written at once, outside the live flow: a plan change's new figures, a replay's history */
export async function writeCounterChanges(client: ClickHouseClient, rows: readonly CounterRow[], planYear: number, changedAtMs: number, worker: string): Promise<void> {
  if (rows.length === 0) return;
  await client.insert({ table: 'complaints.counter_changes', values: rows.map((r) => counterRow(r, planYear, changedAtMs, worker)), format: 'JSONEachRow' });
}

/**
 * The counters' history for analysts (`complaints.counter_changes`), written at most once per
 * interval instead of once per batch: it is derived data (replay rebuilds it), so it must not
 * take an insert slot from the events, whose inserts decide ingest speed and screen latency.
 */
export class CounterHistory {
  private rows: ReturnType<typeof counterRow>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: ClickHouseClient,
    private readonly onError: (err: Error) => void,
    private readonly intervalMs = 1_000,
  ) {}

  add(rows: readonly CounterRow[], planYear: number, changedAtMs: number, worker: string): void {
    for (const r of rows) this.rows.push(counterRow(r, planYear, changedAtMs, worker));
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.rows.length === 0) return this.writing;
    const values = this.rows;
    this.rows = [];
    this.writing = this.writing
      .then(() => this.client.insert({ table: 'complaints.counter_changes', values, format: 'JSONEachRow' }))
      .then(
        () => undefined,
        (err: Error) => this.onError(err),
      );
    return this.writing;
  }
}
