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
        (err: Error) => {
          // kept for the next try: a dropped row left a cell's last written count behind for good
          // (a start writes what is missing too: catchUpCounterHistory)
          if (values.length + this.rows.length <= MAX_KEPT_ROWS) this.rows = [...values, ...this.rows];
          this.timer ??= setTimeout(() => void this.flush(), this.intervalMs * 5);
          this.onError(err);
        },
      );
    return this.writing;
  }
}

/** rows kept through failed writes at most; beyond, the next start's catch-up writes what is missing */
const MAX_KEPT_ROWS = 200_000;

type Written = ReadonlyMap<string, { unresolved: number; firstContact: number }>;
const cellKey = (type: string, scope: string) => `${type}\u0000${scope}`;

/**
 * The cells whose last written counts are not the counters' now: the rows of a monitor's last
 * second before a crash (they are written once a second), or a write that never succeeded. A cell
 * never written counts as written 0.
 */
export function staleCells(written: Written, rows: readonly CounterRow[]): CounterRow[] {
  return rows.filter((r) => {
    const w = written.get(cellKey(r.complaintType, r.scope)) ?? { unresolved: 0, firstContact: 0 };
    return w.unresolved !== r.unresolvedCustomers || w.firstContact !== r.firstContactCustomers;
  });
}

/**
 * At a start, once the counters hold every stored event: a row for each cell of the plan year
 * whose last written counts (as `counters_current` reads them) are not the counters' now, so the
 * analysts' board and the year's final board are the monitor's. Returns how many were written.
 */
export async function catchUpCounterHistory(client: ClickHouseClient, rows: readonly CounterRow[], planYear: number, nowMs: number): Promise<number> {
  const rs = await client.query({
    query: `SELECT complaint_type AS t, scope AS s, argMax(unresolved_customers, changed_at) AS u, argMax(first_contact_customers, changed_at) AS f
            FROM complaints.counter_changes WHERE plan_year = {year:UInt16} GROUP BY complaint_type, scope`,
    query_params: { year: planYear },
    format: 'JSONEachRow',
  });
  const written = new Map<string, { unresolved: number; firstContact: number }>();
  for (const r of await rs.json<{ t: string; s: string; u: number | string; f: number | string }>()) written.set(cellKey(r.t, r.s), { unresolved: Number(r.u), firstContact: Number(r.f) });
  const stale = staleCells(written, rows);
  await writeCounterChanges(client, stale, planYear, nowMs, 'monitor');
  return stale.length;
}
