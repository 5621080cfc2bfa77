import type { ClickHouseClient } from '@clickhouse/client';
import { join } from 'node:path';
import { LiveJournal, settleBeforeReads } from '../pipelines/sinks/live-journal.ts';
import { migrate, openClickHouse, readMigrations } from './clickhouse.ts';
import { thisProcess } from './lease-rules.ts';
import type { MonitorConfig } from './config.ts';
import type { Logger } from './monitor.ts';

/** The monitor's ClickHouse: readers and the alert engine use `clickhouse`, the pipeline `live`. */
export interface MonitorStore {
  clickhouse: ClickHouseClient;
  /** the live pipeline's writes: its own connection (embedded) and the live journal */
  live: { client: ClickHouseClient; journal?: LiveJournal };
  /** a ClickHouse server's own identity (sql/026), which keys its counting lease */
  storeId?: string;
}

/**
 * Opens the store, applies sql/ (which moves what a crash left in the live journal), and, with the
 * embedded engine, gives the pipeline a connection of its own (the engine runs one query at a
 * time per connection: an analyst's long query must not hold up the pipeline) and the journal.
 * Every read through `clickhouse` moves the journal first.
 */
export async function openMonitorStore(config: MonitorConfig, log: Logger): Promise<MonitorStore> {
  const dataDir = join(config.dataDir, 'clickhouse');
  // quiet: a server's errors reach our JSON log where they are handled (the pipeline's write
  // failures, the start's failure), not as the client's own multi-line non-JSON blocks
  const clickhouse = await openClickHouse({ url: config.clickhouseUrl, username: config.clickhouseUser, password: config.clickhousePassword, dataDir, quiet: true });
  const applied = await migrate(clickhouse, undefined, thisProcess(config.dataDir), (message) => log.warn(message));
  if (applied.length) log.info({ applied }, 'ClickHouse schema migrated');
  schemas.set(clickhouse, { latest: readMigrations().at(-1)?.name.replace(/\.sql$/, '') ?? '', appliedAtStart: applied.length });
  if (config.clickhouseUrl) return { clickhouse, live: { client: clickhouse }, storeId: await storeIdentity(clickhouse) };
  const journal = LiveJournal.open(clickhouse, {
    moveEveryMs: config.journalMoveMs,
    // In a burst, fewer and larger parts: at 20,000 rows a move, merging the parts cost the
    // engine 2.2–2.7 µs of CPU per event at full ingest, at 80,000 1.0–1.1 (bench/RESULTS.md).
    // Larger still, the last move of a burst keeps its readers waiting longer (~2.5 µs a row).
    // Live traffic moves every JOURNAL_MOVE_MS long before this.
    moveAtRows: 50_000,
    onMoveError: (err) => log.warn({ err: err.message }, 'moving the live journal into ticket_events failed; will retry'),
  });
  if (journal) settleBeforeReads(clickhouse, journal);
  // Analysts' SQL on a connection of its own: the engine leaves a failed query's partial output in
  // its connection, prepended to that connection's next answer (measured), and an analyst's query
  // fails often (limits, typos); and the analysts' settings (readonly = 1 and the limits,
  // server/routes/sql-run.ts) stay on the connection once set. Closed with the main connection.
  const analyst = await openClickHouse({ dataDir, lane: 'analyst' });
  if (journal) settleBeforeReads(analyst, journal);
  analystClients.set(clickhouse, analyst);
  const close = clickhouse.close.bind(clickhouse);
  clickhouse.close = async () => {
    await Promise.all([close(), analyst.close()]);
  };
  return { clickhouse, live: { client: await openClickHouse({ dataDir, lane: 'live' }), journal } };
}

const analystClients = new WeakMap<ClickHouseClient, ClickHouseClient>();

/** The schema a store was brought to at this start, for health: an operator checking an upgrade sees it there (audit CJ L2). */
export interface SchemaState {
  /** the last sql/ file, applied now or before */
  latest: string;
  /** how many sql/ files this start applied (0: the store was up to date) */
  appliedAtStart: number;
}
const schemas = new WeakMap<ClickHouseClient, SchemaState>();
export const schemaOf = (clickhouse: ClickHouseClient): SchemaState | undefined => schemas.get(clickhouse);

/** The connection analysts' queries run on: a lane of its own with the embedded engine, else the store's. */
export function analystClient(clickhouse: ClickHouseClient): { client: ClickHouseClient; embedded: boolean } {
  const lane = analystClients.get(clickhouse);
  return lane ? { client: lane, embedded: true } : { client: clickhouse, embedded: false };
}

/** The store's identity: one id made by its first migration (sql/026). */
export async function storeIdentity(clickhouse: ClickHouseClient): Promise<string | undefined> {
  const rs = await clickhouse.query({ query: 'SELECT min(id) AS id FROM complaints.store_identity', format: 'JSONEachRow' });
  const [row] = await rs.json<{ id: string }>();
  return row?.id || undefined;
}
