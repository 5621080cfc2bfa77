import { join } from 'node:path';
import { migrate, openClickHouse } from '../server/clickhouse.ts';
import { loadPlan } from '../server/plan-source.ts';
import { emit } from './lib.ts';

// Bulk load for the rebuild and read benchmarks: N stored events generated inside the engine with
// INSERT ... SELECT FROM numbers(N). Publishing millions through JetStream would measure the
// broker and the pipeline (bench/ingest.ts does that), not the rebuild, and take many minutes;
// the rows here have the shape the pipeline writes. Runs in its own process because the
// embedded engine opens one data directory per process and the monitor opens it next.
//   node --import tsx bench/load.ts <dataDir> <N>

const [dataDir, nRaw] = process.argv.slice(2);
const n = Number(nRaw);
if (!dataDir || !Number.isInteger(n) || n <= 0) throw new Error('usage: load.ts <dataDir> <N>');
const plan = loadPlan(undefined, Date.now());
const ch = await openClickHouse({ dataDir: join(dataDir, 'clickhouse') });
await migrate(ch);
const types = `[${plan.types.map((t) => `'${t.code}'`).join(',')}]`;
const branches = `['BJ','BJ-HD','BJ-CY','SH','GZ','SZ']`;
const yearStartS = Math.floor(plan.yearStartMs / 1000);
const spanS = Math.floor((plan.yearEndMs - plan.yearStartMs) / 1000) - 10 * 86_400;
const customers = Math.max(10, Math.floor(n / 10));
// Each ticket is three events: opened, first_contact (35 % not agreed), resolved. 2 % of the tickets
// came in `unclassified` and wait for a person (the classification review's queue): half the
// classifier typed with low confidence (they count under that type), half it could not type
// (they count under none).
const started = Date.now();
const chunk = 1_000_000;
for (let from = 0; from < n; from += chunk) {
  const count = Math.min(chunk, n - from);
  await ch.command({
    query: `
      INSERT INTO complaints.ticket_events
      WITH cityHash64(intDiv(number, 3), 5) % 100 < 2 AS waiting
      SELECT
        concat('b-', toString(number)) AS event_id,
        concat('bt-', toString(intDiv(number, 3))) AS ticket_id,
        ['opened', 'first_contact', 'resolved'][number % 3 + 1] AS kind,
        toDateTime64(${yearStartS} + cityHash64(intDiv(number, 3)) % ${spanS} + (number % 3) * 86400, 3, 'UTC') AS occurred_at,
        concat(replaceOne(toString(occurred_at), ' ', 'T'), 'Z') AS occurred_at_text,
        ${branches}[cityHash64(intDiv(number, 3), 1) % 6 + 1] AS branch,
        if(waiting AND cityHash64(intDiv(number, 3), 6) % 2 = 0, 'unclassified', ${types}[cityHash64(intDiv(number, 3), 2) % ${plan.types.length} + 1]) AS complaint_type,
        if(waiting, 'unclassified', complaint_type) AS reported_type,
        lower(hex(cityHash64(cityHash64(intDiv(number, 3), 3) % ${customers}))) AS customer_hash,
        '{}' AS customer_masked,
        'phone' AS channel,
        multiIf(number % 3 = 1, if(cityHash64(intDiv(number, 3), 4) % 100 < 35, 'not_agreed', 'agreed'), number % 3 = 2, 'agreed', '') AS outcome,
        '' AS escalation,
        '' AS text,
        NULL AS satisfaction,
        map() AS tags,
        if(waiting, 'keywords-v1', '') AS classifier_model,
        if(waiting, toNullable(toFloat32(if(complaint_type = 'unclassified', 0, 0.3))), NULL) AS classifier_confidence,
        toUInt8(waiting) AS needs_review,
        number AS stream_seq,
        now64(3) AS received_at
      FROM numbers(${from}, ${count})`,
  });
}
const loadMs = Date.now() - started;
// The expected counters, computed independently of the monitor's index by the engine itself.
const rs = await ch.query({
  query: `SELECT complaint_type, uniqExactIf(customer_hash, outcome = 'not_agreed') AS unresolved, uniqExact(customer_hash) AS first_contact
          FROM complaints.ticket_events WHERE kind = 'first_contact' AND occurred_at < {end:DateTime64(3, 'UTC')} AND complaint_type != 'unclassified'
          GROUP BY complaint_type ORDER BY complaint_type`,
  query_params: { end: new Date(plan.yearEndMs).toISOString().replace('T', ' ').slice(0, 23) },
  format: 'JSONEachRow',
});
const expected = (await rs.json<{ complaint_type: string; unresolved: string; first_contact: string }>()).map((r) => ({
  complaintType: r.complaint_type,
  unresolved: Number(r.unresolved),
  firstContact: Number(r.first_contact),
}));
await ch.close();
emit({ name: 'load', n, loadMs, expected });
process.exit(0);
