// Ticket-event simulator for the demo: optionally backfills the year so far (real history,
// compressed), then publishes live events until SIGINT: with --real-time the rest of the year's
// events at their own times (a real day's pace: what `npm run demo` does), else events stamped
// "now" at --rate (a load, not a bank's day: a year's tickets in hours). With --out it publishes
// nothing: it writes the whole year's events to a file (a "last year" for the plan builder).
//
//   tsx scripts/simulator/cli.ts --nats nats://127.0.0.1:4222 --rate 20 --seed 1 --backfill
//   tsx scripts/simulator/cli.ts --year 2025 --seed 1 --out events-2025.ndjson
//
// Logs counts only: no customer data ever reaches the log.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { parse as parseYaml } from 'yaml';
import type { TicketEvent } from '../../pipelines/model.ts';
import { describeNatsAuth, natsSecurityFromEnv } from '../../server/nats-options.ts';
import { badEvents } from './bad.ts';
import { findCfpbCsv, loadCfpb, type CfpbComplaint } from './csv.ts';
import { generateLifecycles } from './generate.ts';
import { writeEventsNdjson } from './out-file.ts';
import { emptyStats, ensureComplaintsStream, paced, publishEvents, publishRaw, sleep, STREAM_NAME, SUBJECT_PREFIX } from './publish.ts';
import { atOwnTimes, dueWithin, restamp, timeCompressed } from './replay.ts';
import { yearBounds, yearOf } from './time.ts';

const USAGE = `usage: tsx scripts/simulator/cli.ts [--nats URL] [--rate N | --real-time] [--seed N] [--backfill]
  [--replay-seconds N] [--plan PATH | --year YYYY --timezone ZONE] [--csv PATH] [--sample SHARE]
  [--duplicates SHARE] [--bad] [--ensure-stream]
       tsx scripts/simulator/cli.ts --out EVENTS.ndjson [--seed N] [--plan PATH | --year YYYY --timezone ZONE]
  [--csv PATH] [--sample SHARE]   (the whole year's events to a file, one per line; no NATS)`;

/** Bad input gets its reason and the usage, not a stack trace. */
function fail(message: string): never {
  console.error(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

/** what `what` needs, or its error as a message */
function attempt<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    return fail(`${what}: ${(err as Error).message}`);
  }
}

const { values: args } = attempt('arguments', () => parseArgs({
  options: {
    nats: { type: 'string', default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
    rate: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    backfill: { type: 'boolean', default: false },
    'real-time': { type: 'boolean', default: false },
    'replay-seconds': { type: 'string', default: '0' },
    plan: { type: 'string' },
    year: { type: 'string' },
    timezone: { type: 'string' },
    csv: { type: 'string' },
    sample: { type: 'string', default: '1' },
    duplicates: { type: 'string', default: '0' },
    bad: { type: 'boolean', default: false },
    'ensure-stream': { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
}));
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

function num(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    fail(`--${name} must be a number >= ${min}`);
  }
  return n;
}

// The plan's year and zone, so generated times land where the monitor counts (YAML also reads JSON).
const plan = args.plan ? attempt(`--plan ${args.plan}`, () => parseYaml(readFileSync(args.plan!, 'utf8')) as { year?: number; timezone?: string } | null) ?? {} : {};
if (typeof plan !== 'object') fail(`--plan ${args.plan}: not a plan (YAML or JSON object)`);
const tz = args.timezone ?? plan.timezone ?? 'Asia/Shanghai';
attempt('--timezone', () => new Intl.DateTimeFormat('en', { timeZone: tz }));
const seed = num('seed', args.seed, 0);
const rate = num('rate', args.rate, 0);
const year = args.year ? num('year', args.year, 1970) : (plan.year ?? yearOf(Date.now(), tz));
/** --csv, else CFPB_CSV (which must then exist: no fallback), else a default sample */
function cfpbCsvPath(): string {
  let found: string | undefined;
  try {
    found = args.csv ?? findCfpbCsv();
  } catch (err) {
    fail((err as Error).message); // it names CFPB_CSV and the path
  }
  return found ?? fail('CFPB sample not found: pass --csv or set CFPB_CSV');
}
const csvPath = cfpbCsvPath();
const csvFrom = args.csv ? '--csv' : process.env.CFPB_CSV ? 'CFPB_CSV' : 'CFPB sample';
const complaints: CfpbComplaint[] = attempt(`${csvFrom} ${csvPath}`, () => loadCfpb(csvPath));
const genOpts = { seed, year, timezone: tz, sample: num('sample', args.sample, 0) };
const pubOpts = { duplicates: num('duplicates', args.duplicates, 0), seed };

if (args.out !== undefined) {
  // a file is the year as history: publishing options would be silently ignored, so they are refused
  // given on the command line, defaults aside (--nats and --rate have them): all of them refused
  const given = (o: string) => process.argv.some((a) => a === `--${o}` || a.startsWith(`--${o}=`));
  const publishing = ['backfill', 'real-time', 'bad', 'ensure-stream', 'nats', 'rate', 'duplicates', 'replay-seconds'].filter(given);
  if (publishing.length > 0) fail(`--out writes a file and publishes nothing: drop --${publishing.join(', --')}`);
  if (args.out === '') fail('--out needs a file name, e.g. events-2025.ndjson');
  const events = generateLifecycles(complaints, genOpts);
  const written = attempt(`--out ${args.out}`, () => writeEventsNdjson(args.out!, events));
  log(`wrote ${written} events of ${year} (${tz}), seed ${seed}, from ${complaints.length} CFPB complaints to ${args.out}`);
  process.exit(0);
}

const controller = new AbortController();
const { signal } = controller;
let stopping = false;
process.on('SIGINT', () => {
  if (stopping) process.exit(130);
  stopping = true;
  log('stopping (Ctrl-C again to quit at once)');
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());

const stats = emptyStats();
let phase = 'starting';
function log(msg: string) {
  console.log(`[simulator] ${new Date().toISOString()} ${msg}`);
}
let last = { at: Date.now(), n: 0 };
const ticker = setInterval(() => {
  const n = stats.published;
  if (n === last.n && Date.now() - last.at < 300_000) return; // a real day's pace: quiet minutes need no line each
  const perSec = ((n - last.n) * 1000) / Math.max(1, Date.now() - last.at);
  last = { at: Date.now(), n };
  log(
    `phase=${phase} published=${n} dup_with_header=${stats.duplicatesWithHeader} ` +
      `dup_without_header=${stats.duplicatesWithoutHeader} broker_dropped=${stats.brokerDuplicates} rate=${perSec.toFixed(1)}/s`,
  );
}, 5_000);

// the broker's credentials and TLS from the monitor's NATS_* variables, as the replay's: the demo's
// simulator publishes to the monitor's own broker, which requires them when they are set (audit C4)
const security = attempt('NATS_*', () => natsSecurityFromEnv());
const nc = await connect({ servers: args.nats, name: 'ticket-simulator', maxReconnectAttempts: -1, reconnectTimeWait: 500, ...security.options }).catch((err: Error) =>
  fail(`cannot reach NATS at ${args.nats}: ${err.message} (NATS auth: ${describeNatsAuth(security).auth})`),
);
const js = jetstream(nc);
log(`connected to ${args.nats}; ${complaints.length} CFPB complaints from ${csvPath}; year ${year} (${tz}), seed ${seed}`);

if (year !== yearOf(Date.now(), tz)) log(`note: year ${year} is not the current year; live events stamped now fall outside it`);
try {
  await waitForStream();
  const events = generateLifecycles(complaints, genOpts);
  const now = Date.now();
  const past = events.filter((e) => Date.parse(e.occurredAt) <= now);
  const future = events.filter((e) => Date.parse(e.occurredAt) > now);

  if (args.backfill && !signal.aborted) {
    phase = 'backfill';
    const seconds = num('replay-seconds', args['replay-seconds'], 0);
    const { startMs } = yearBounds(year, tz);
    log(`backfill: ${past.length} events of the year so far${seconds > 0 ? ` over ${seconds} s` : ''}`);
    const source =
      seconds > 0 && now > startMs
        ? paced(timeCompressed(past, { from: new Date(startMs), to: new Date(now + 1), speedup: (now - startMs) / (seconds * 1000) }), signal)
        : past;
    await publishEvents(js, source, { ...pubOpts, signal, stats });
    log(`backfill done: ${stats.published} events`);
  }
  if (args.bad && !signal.aborted) {
    for (const bad of badEvents(seed)) await publishRaw(js, `${SUBJECT_PREFIX}.${bad.subjectBranch}`, bad.payload);
    log(`published ${badEvents(seed).length} invalid payloads for the dead-letter store`);
  }
  if (!signal.aborted && args['real-time']) {
    phase = 'live';
    const schedule = atOwnTimes(future, now);
    const next = schedule[0] ? ` the next at ${schedule[0].event.occurredAt}` : ' none left this year';
    log(`live: the rest of the year's ${schedule.length} events at their own times, a real day's pace: ${dueWithin(schedule, 3_600_000)} in the next hour, ${dueWithin(schedule, 86_400_000)} in the next 24 h;${next}`);
    await publishEvents(js, paced(schedule, signal), { ...pubOpts, signal, stats });
  } else if (!signal.aborted) {
    phase = 'live';
    log(`live: ${rate} events/s stamped now (the rest of the year first, then new rounds of tickets)`);
    await publishEvents(js, live(future), { ...pubOpts, rate, signal, stats });
  }
} catch (err) {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  clearInterval(ticker);
  await nc.drain().catch(() => undefined);
  log(`stopped: published=${stats.published} duplicates=${stats.duplicatesWithHeader + stats.duplicatesWithoutHeader}`);
}

/** Rest of this year's generated events, then endless new rounds; each stamped when pulled. */
async function* live(rest: TicketEvent[]): AsyncGenerator<TicketEvent> {
  for (let round = 0; !signal.aborted; round++) {
    const batch = round === 0 ? rest : generateLifecycles(complaints, { ...genOpts, seed: seed + round, idSuffix: `r${round}` });
    if (round > 0) log(`live round ${round}: ${batch.length} events of new tickets`);
    for (const e of batch) {
      if (signal.aborted) return;
      yield restamp(e, Date.now(), tz);
    }
  }
}

async function waitForStream(): Promise<void> {
  if (args['ensure-stream']) {
    if (await ensureComplaintsStream(nc)) log(`created stream ${STREAM_NAME}`);
    return;
  }
  const jsm = await jetstreamManager(nc);
  for (let warned = false; !signal.aborted; warned = true) {
    try {
      await jsm.streams.info(STREAM_NAME);
      return;
    } catch {
      if (!warned) log(`waiting for stream ${STREAM_NAME} (the monitor creates it; or pass --ensure-stream)`);
      await sleep(1_000, signal);
    }
  }
}
