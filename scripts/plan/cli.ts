// npm run plan -- build --base PLAN --history FILE.ndjson|--clickhouse DIR|--clickhouse-url URL
//                       [--year YYYY] [--forecast FILE] [--branches FILE.csv] [--floor 0..1] [--out FILE]
// npm run plan -- check FILE
//
// build: last year's not-agreed history → the new year's plan (docs/PLANS.md); prints the weekly
// table and cumulative curve, writes the plan (YAML) to --out. check: validates a plan and prints
// its curve. Bad input exits 2 with file, line and field; nothing personal is ever printed.
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Document, isSeq } from 'yaml';
import { PlanError, parsePlan, loadPlanFile } from '../../pipelines/plan/index.ts';
import { buildPlan, curveTable, notAgreedByDay, observedDays, parseBranchSizes, parseForecast, type HistoryEvent } from '../../pipelines/plan/builder/index.ts';
import { UNCLASSIFIED } from '../../pipelines/transforms/classify.ts';
import { classifiedHistoryNdjson } from './classified-history.ts';
import { clickhouseHistory, notAStore } from './clickhouse-history.ts';
import { redactNatsUrl } from '../../server/nats-options.ts';

const USAGE = `usage:
  npm run plan -- build --base PLAN (--history EVENTS.ndjson | --clickhouse DATA_DIR/clickhouse | --clickhouse-url URL)
                        [--year YYYY] [--forecast FORECAST.yaml] [--branches BRANCHES.csv] [--floor 0..1] [--out PLAN_OUT.yaml]
  npm run plan -- check PLAN`;

class UsageError extends Error {}
/** --out names a place the plan cannot be written: said before the work, exit 2 (bad input). */
class OutPathError extends Error {}

/** Why the plan cannot be written to `path`, or undefined when it can (as far as can be known before writing). */
function outPathProblem(path: string): string | undefined {
  const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) return 'is a directory; give a file name, e.g. plan-2026.yaml';
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      return `cannot be written (${code(err)})`;
    }
    return undefined;
  }
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) return `its directory ${dir} does not exist`;
  if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    return `cannot create a file in ${dir} (${code(err)})`;
  }
  return undefined;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new PlanError({ file: path, reason: `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
  }
}

async function build(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      base: { type: 'string' },
      history: { type: 'string' },
      clickhouse: { type: 'string' },
      'clickhouse-url': { type: 'string' },
      year: { type: 'string' },
      forecast: { type: 'string' },
      branches: { type: 'string' },
      floor: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!a.base) throw new UsageError('--base PLAN is required (the plan to start from: types, allowances, branches)');
  const outProblem = a.out === undefined ? undefined : outPathProblem(a.out);
  if (outProblem) throw new OutPathError(`--out ${a.out}: ${outProblem}`);
  const sources = [a.history, a.clickhouse, a['clickhouse-url']].filter(Boolean).length;
  if (sources !== 1) throw new UsageError('give exactly one of --history, --clickhouse, --clickhouse-url');
  const base = parsePlan(read(a.base), a.base);
  const year = a.year === undefined ? base.year : Number(a.year);
  if (!/^\d{4}$/.test(a.year ?? String(year)) || year < 1971 || year > 2200) throw new UsageError(`--year must be a year such as 2026 (got "${a.year}")`);
  const lastYear = year - 1;
  const floor = a.floor === undefined ? 0 : Number(a.floor);
  if (!(floor >= 0 && floor <= 1)) throw new UsageError(`--floor must be a number from 0 to 1 (got "${a.floor}")`);
  const forecast = a.forecast ? parseForecast(read(a.forecast), a.forecast, year, new Set(base.types.map((t) => t.code))) : [];
  const branches = a.branches ? parseBranchSizes(read(a.branches), a.branches) : undefined;
  let events: HistoryEvent[];
  if (a.history) events = classifiedHistoryNdjson(read(a.history), a.history, base.types);
  else {
    const wrong = a.clickhouse ? notAStore(a.clickhouse) : undefined;
    if (wrong) throw new UsageError(wrong);
    events = await clickhouseHistory({ dataDir: a.clickhouse, url: a['clickhouse-url'], lastYear, timeZone: base.timezone });
  }
  // a history of another year than the one before --year (which defaults to the base plan's) is
  // almost surely a wrong --year: refused, naming the years it holds, rather than a plan by days
  const yearOfEvent = (ms: number) => Number(new Intl.DateTimeFormat('en', { timeZone: base.timezone, year: 'numeric' }).format(ms));
  const inYear = events.filter((e) => yearOfEvent(e.atMs) === lastYear).length;
  if (events.length > 0 && inYear === 0) {
    const years = [...new Set(events.map((e) => yearOfEvent(e.atMs)))].sort();
    throw new UsageError(`the history holds ${events.length} events, none of ${lastYear} (the year before ${year}); it holds ${years.join(', ')}: give --year ${years.at(-1)! + 1}`);
  }
  // nothing of last year at all (an empty store, a store of this year only): a plan by days alone
  // is not what was asked for
  if (events.length === 0) {
    const from = a.history ?? a.clickhouse ?? redactNatsUrl(a['clickhouse-url'] ?? ''); // the same user:password@ form
    throw new UsageError(`${from} holds no events of ${lastYear} (the year before ${year}): build from an export of ${lastYear} with --history, or give --year`);
  }
  const history = notAgreedByDay(events, lastYear, base.timezone);
  // what is left `unclassified` counts under no type in the monitor either: said as what it is,
  // not as a type the plan does not monitor
  const untyped = (history.get(UNCLASSIFIED) ?? []).reduce((sum, n) => sum + n, 0);
  history.delete(UNCLASSIFIED);
  const result = buildPlan({ base, year, lastYear, history, forecast, branches, branchesFile: a.branches, floor, observedDays: observedDays(events, lastYear, base.timezone) });
  console.log(`history ${lastYear}: ${inYear} of ${events.length} events; not-agreed customers per type: ${result.types.map((t) => `${t.code}=${t.lastYearCustomers} (${t.source})`).join(', ')}`);
  for (const w of result.warnings) console.log(`warning: ${w}`);
  if (untyped > 0) console.log(`warning: unclassified tickets whose text and tags gave no plan type, counted under none (as the monitor counts them): ${untyped} not-agreed customers`);
  console.log(curveTable(result.compiled));
  const doc = {
    ...result.plan,
    types: result.plan.types.map(({ branchAllowances, ...t }) => (Object.keys(branchAllowances).length ? { ...t, branchAllowances } : t)),
  };
  const text = `# Built by \`npm run plan -- build\` from ${lastYear} history${a.forecast ? ` and forecast ${a.forecast}` : ''}${a.branches ? `, branches ${a.branches}` : ''}.\n${planYaml(doc)}`;
  if (a.out) {
    try {
      writeFileSync(a.out, text);
    } catch (err) {
      throw new Error(`--out ${a.out}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`); // checked before the work: a failure now is the disk's, exit 1
    }
    console.log(`plan written to ${a.out}`);
  } else {
    console.log(text);
  }
}

/** Block YAML, with each weeklyWeights list on one line (53 numbers per type stay readable). */
function planYaml(value: object): string {
  const doc = new Document(value);
  const types = doc.get('types');
  if (isSeq(types)) {
    for (const t of types.items) {
      const w = (t as Document['contents'] & { get?: (k: string) => unknown }).get?.('weeklyWeights');
      if (isSeq(w)) w.flow = true;
    }
  }
  return doc.toString({ flowCollectionPadding: false, lineWidth: 0 });
}

function check(argv: string[]): void {
  const file = argv[0];
  if (!file || argv.length !== 1) throw new UsageError('check takes exactly one plan file');
  const plan = loadPlanFile(file);
  console.log(curveTable(plan));
  console.log(`ok: ${file} is a valid plan for ${plan.year}`);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'help' || process.argv.slice(2).some((x) => x === '--help' || x === '-h')) {
    console.log(`${USAGE}\n(docs/PLANS.md)`);
    return;
  }
  if (cmd === 'build') await build(rest);
  else if (cmd === 'check') check(rest);
  else throw new UsageError(cmd ? `unknown command "${cmd}"` : 'a command is required');
}

main().catch((err: Error) => {
  if (err instanceof PlanError || err instanceof OutPathError) console.error(`error: ${err.message}`);
  else if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) console.error(`error: ${err.message}\n${USAGE}`);
  else {
    console.error(`error: ${err.message}`);
    process.exit(1);
  }
  process.exit(2);
});
