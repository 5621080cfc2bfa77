// npm run replay -- [--plan FILE] [--data-dir DIR | --clickhouse-url URL]
//                   [--nats URL (--from-seq N | --from-time RFC3339)] [--until RFC3339]
//
// Rebuilds every table derived from events: first, with --nats, the stored events themselves
// from the JetStream stream COMPLAINTS from a sequence or a time (idempotent by event_id); then
// the counters from the stored events, written as the plan year's counter history
// (complaints.counter_changes, one row per type and scope at each week end, worker 'replay',
// replacing the year's earlier rows) and the stored weekly reviews. Deterministic: the same events
// give the same rows. Embedded mode opens DATA_DIR/clickhouse, so stop the monitor first.
// After a plan correction, run it with the corrected plan; after a bug fix, as is. Without --plan
// (or PLAN) it counts under the plan a monitor last put in force in this store, and says so on
// stderr; a --plan that is not that plan gets a warning there (scripts/replay-plan.ts).
// Prints one JSON line; eventsInYear and correctionsFromOtherYears (distinct events) are apart
// because corrections of any date are read (they can re-type the year's tickets), so the second
// can be non-zero for a year the store holds no events of. With --nats, the stream's messages,
// the events stored that the store did not have, those it had already (alreadyStored), and the
// copies dropped (the monitor kept the first copy of an event too).
// With --nats: the broker's credentials and TLS come from the monitor's NATS_* variables
// (docs/OPERATIONS.md, "Securing a deployment"), and the customer-hash key from CUSTOMER_HASH_KEY
// or DATA_DIR/customer-hash.key (never generated here). ClickHouse's from CLICKHOUSE_USER/PASSWORD.
import { connect } from '@nats-io/transport-node';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPlanFile, PlanError } from '../pipelines/plan/index.ts';
import { migrate, openClickHouse } from '../server/clickhouse.ts';
import { produceReview, storedWeeks } from '../server/reports/data.ts';
import { ConfigError } from '../server/errors.ts';
import { describeNatsAuth, natsSecurityFromEnv } from '../server/nats-options.ts';
import { existingCustomerHashKey } from '../server/secrets.ts';
import { checkHashKey } from '../server/hash-key-check.ts';
import { parseRfc3339 } from '../server/time.ts';
import { counterHistory, failureText, indexFromStore, rewriteCounterHistory, storeFromStream } from './replay-lib.ts';
import { StreamPreparer } from './replay-prepare.ts';
import { ReplayPlanError, replayPlan } from './replay-plan.ts';

const USAGE = 'usage: npm run replay -- [--plan FILE] [--data-dir DIR | --clickhouse-url URL] [--nats URL (--from-seq N | --from-time RFC3339)] [--until RFC3339]';

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

const { values: a } = (() => {
  try {
    return parseArgs({
      options: {
        plan: { type: 'string', default: process.env.PLAN },
        'data-dir': { type: 'string', default: process.env.DATA_DIR ?? './data' },
        'clickhouse-url': { type: 'string', default: process.env.CLICKHOUSE_URL },
        nats: { type: 'string' },
        'from-seq': { type: 'string' },
        'from-time': { type: 'string' },
        until: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message} (${USAGE})`);
  }
})();
if (a.help) {
  console.log(`${USAGE}\n(what it does and prints: docs/PLANS.md and the head of scripts/replay.ts)`);
  process.exit(0);
}

async function main(): Promise<void> {
  const given = a.plan ? loadPlanFile(a.plan) : undefined;
  const dataDir = resolve(a['data-dir']!);
  if (!a.nats && (a['from-seq'] !== undefined || a['from-time'] !== undefined)) fail('--from-seq and --from-time read the stream: give --nats too');
  // without --nats there is nothing to fill a new store from: a typo must not make an empty one
  // and rewrite its counters from nothing (with --nats, an empty directory is a store rebuilt)
  if (!a.nats && !a['clickhouse-url'] && !existsSync(join(dataDir, 'clickhouse'))) fail(`no monitor store in ${dataDir} (no clickhouse/ directory): check --data-dir or DATA_DIR`);
  if (!given && !a['clickhouse-url'] && !existsSync(join(dataDir, 'clickhouse'))) fail(`a new store has no plan in force: give the plan to count under with --plan FILE (or PLAN)`);
  const until = a.until === undefined ? undefined : (parseRfc3339(a.until) ?? fail(`--until must be RFC 3339 with an offset (got "${a.until}")`));
  // read before anything is opened: a replay that cannot reach the broker must not touch the store
  const security = a.nats ? natsSecurityFromEnv() : undefined;
  const hashKey = a.nats ? existingCustomerHashKey(dataDir, process.env.CUSTOMER_HASH_KEY) : undefined;
  if (a.nats && !hashKey) {
    fail(`no customer-hash key: set CUSTOMER_HASH_KEY or restore ${join(dataDir, 'customer-hash.key')} (the key the stored events were hashed with; docs/OPERATIONS.md, "Backup and the hash key")`);
  }
  const ch = await openClickHouse({ url: a['clickhouse-url'], dataDir: join(dataDir, 'clickhouse'), username: process.env.CLICKHOUSE_USER, password: process.env.CLICKHOUSE_PASSWORD, quiet: true });
  try {
    await migrate(ch);
    const { plan, note, warning } = await replayPlan(ch, given);
    // on stderr as JSON lines, as the connection is logged; a plan given and in force says nothing
    if (!given) console.error(JSON.stringify({ msg: note }));
    if (warning) console.error(JSON.stringify({ level: 'warn', msg: warning }));
    const untilMs = until ?? Math.min(Date.now(), plan.yearEndMs - 1);
    const summary: Record<string, unknown> = { year: plan.year };
    if (a.nats) {
      if ((a['from-seq'] === undefined) === (a['from-time'] === undefined)) fail('with --nats give one of --from-seq or --from-time');
      const seq = a['from-seq'] === undefined ? undefined : Number(a['from-seq']);
      if (seq !== undefined && !(Number.isInteger(seq) && seq >= 1)) fail(`--from-seq must be an integer >= 1 (got "${a['from-seq']}")`);
      const timeMs = a['from-time'] === undefined ? undefined : (parseRfc3339(a['from-time']) ?? fail(`--from-time must be RFC 3339 with an offset (got "${a['from-time']}")`));
      const nc = await connect({ servers: a.nats.split(',').map((s) => s.trim()), name: 'complaint-replay', ...security!.options }).catch((err: Error) => {
        throw new Error(`${err.message} (NATS auth: ${describeNatsAuth(security!).auth}, TLS: ${security!.tls ? 'on' : 'off'})`);
      });
      // on stderr, as the monitor logs it: the method, never a secret; stdout keeps its one line
      console.error(JSON.stringify({ msg: 'connected to NATS', ...describeNatsAuth(security!) }));
      try {
        await checkHashKey(ch, hashKey!, Date.now()); // stream events hashed with another key would count twice
        summary.stream = await storeFromStream(nc, ch, new StreamPreparer(plan, hashKey!), plan, { seq, timeMs });
      } finally {
        await nc.close();
      }
    }
    const { index, eventsInYear, correctionsFromOtherYears } = await indexFromStore(ch, plan);
    Object.assign(summary, { eventsInYear, correctionsFromOtherYears });
    summary.counterRows = await rewriteCounterHistory(ch, plan, counterHistory(plan, index, untilMs));
    const weeks = (await storedWeeks(ch, plan.year)).filter((w) => plan.weeks[w - 1] && plan.weeks[w - 1]!.endMs <= untilMs + 1);
    for (const w of weeks) await produceReview(ch, plan, index, w, Date.now());
    summary.weeklyReviews = weeks.length;
    console.log(JSON.stringify(summary));
  } finally {
    await ch.close();
  }
}

main().catch((err: Error) => {
  if (err instanceof PlanError || err instanceof ConfigError || err instanceof ReplayPlanError) fail(err.message);
  console.error(`error: ${failureText(err)}`);
  process.exit(1);
});
