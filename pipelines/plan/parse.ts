// parsePlan: plan text (JSON or YAML) → a validated Plan with defaults filled in, or a PlanError
// naming the first problem in document order. JSON goes through the YAML parser too, so both
// formats report lines the same way.

import { isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { weekCountOfYear, isValidTimeZone } from './calendar.ts';
import { PlanError } from './errors.ts';
import { readAlertsSection } from '../rules/plan-section.ts';
import { indexPath, propPath, Reader, type Field } from './reader.ts';
import {
  BRANCH_CODE_PATTERN,
  BRANCH_FIELDS,
  DEFAULT_BRANCH_WEIGHT,
  DEFAULT_TIMEZONE,
  DEFAULT_WATCH,
  MAX_YEAR,
  MIN_YEAR,
  MODES,
  PLAN_FIELDS,
  RESERVED_BRANCH_CODE,
  RESERVED_TYPE_CODE,
  THRESHOLD_FIELDS,
  TYPE_CODE_PATTERN,
  TYPE_FIELDS,
  type Plan,
  type PlanBranch,
  type PlanMode,
  type PlanType,
} from './schema.ts';

const NON_NEGATIVE = 'a non-negative number';
const nonEmpty = (s: string): boolean => s.trim().length > 0;

export function parsePlan(text: string, fileName: string): Plan {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  // yaml collects errors per parsing stage, not in document order.
  const syntax = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (syntax) {
    const reason = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const line = syntax.linePos?.[0]?.line ?? lines.linePos(syntax.pos[0]).line;
    throw new PlanError({ file: fileName, line, reason: `syntax error: ${reason}`, cause: syntax });
  }
  // `---` alone gives a null scalar rather than no contents: empty all the same.
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new PlanError({ file: fileName, reason: 'the plan file is empty' });
  }

  const r = new Reader(doc, lines);
  const plan = readPlan(r, r.node(doc.contents));
  const error = r.firstError(fileName);
  if (error) throw error;
  return plan as Plan;
}

/** Builds the plan while collecting issues; the result is only complete when there are none. */
function readPlan(r: Reader, root: Node | null): Partial<Plan> {
  const top = r.mapping(root, 0, '', '', PLAN_FIELDS, ['year', 'types']);
  if (!top) return {};
  const f = (name: string): Field | undefined => r.field(top, '', name);

  const yearF = f('year');
  const year = yearF && r.number(...yearF, (n) => Number.isInteger(n) && n >= MIN_YEAR && n <= MAX_YEAR, `an integer from ${MIN_YEAR} to ${MAX_YEAR}`);

  let timezone: string | undefined = DEFAULT_TIMEZONE;
  const zoneF = f('timezone');
  if (zoneF) {
    timezone = r.string(...zoneF, isValidTimeZone, 'an IANA time zone name such as "Asia/Shanghai"');
    // Intl accepts any letter case; keep the canonical spelling when it is only a case change
    // (not when Intl maps a name to an older alias, e.g. Asia/Kolkata -> Asia/Calcutta).
    const canonical = timezone && new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
    if (canonical && canonical.toLowerCase() === timezone!.toLowerCase()) timezone = canonical;
  }

  let watch: number | undefined = DEFAULT_WATCH;
  const thresholdsF = f('thresholds');
  const thresholds = thresholdsF && r.mapping(...thresholdsF, THRESHOLD_FIELDS);
  const watchF = thresholds && r.field(thresholds, 'thresholds', 'watch');
  if (watchF) watch = r.number(...watchF, (n) => n > 0 && n <= 1, 'a number greater than 0 and at most 1');

  const branchesF = f('branches');
  const branches = branchesF ? readBranches(r, branchesF) : { list: [], known: new Set<string>() };
  const typesF = f('types');
  const types = typesF && readTypes(r, typesF, branches.known, year);
  const alertsF = f('alerts');
  const alerts = alertsF && readAlertsSection(r, alertsF);
  return { year, timezone, thresholds: { watch: watch! }, branches: branches.list, types, ...(alerts ? { alerts } : {}) };
}

/** Reports a reserved or repeated code; returns the code when it may be used. */
function claimCode(r: Reader, f: Field, code: string | undefined, seen: Map<string, number>, kind: string, reserved: [string, string]): string | undefined {
  if (code === undefined) return undefined;
  if (code === reserved[0]) return void r.report(f[1], f[2], f[3], `${code} is reserved ${reserved[1]}`);
  const first = seen.get(code);
  if (first !== undefined) return void r.report(f[1], f[2], f[3], `duplicate ${kind} code "${code}" (first on line ${first})`);
  seen.set(code, r.lineAt(f[1]));
  return code;
}

interface BranchDraft {
  branch: Partial<PlanBranch>;
  parentF?: Field;
  weightF?: Field;
}

/** Siblings whose weights are all 0 share their parent's allowance in no proportion at all. */
function reportWeightless(r: Reader, drafts: BranchDraft[]): void {
  const siblings = new Map<string, BranchDraft[]>();
  for (const d of drafts) {
    const parent = d.branch.parent ?? RESERVED_BRANCH_CODE;
    siblings.set(parent, [...(siblings.get(parent) ?? []), d]);
  }
  for (const [parent, kids] of siblings) {
    if (kids.some((k) => k.branch.weight !== 0)) continue;
    const f = kids[0]!.weightF!;
    r.report(f[1], f[2], 'weight', `the weights of ${parent}'s branches are all 0: give one a weight above 0 to share ${parent}'s allowance`);
  }
}

function readBranches(r: Reader, branchesF: Field): { list: PlanBranch[]; known: Set<string> | undefined } {
  const items = r.list(...branchesF);
  // known undefined: the branch list is unusable, so references to branches cannot be checked.
  if (!items) return { list: [], known: undefined };
  const maps = items.map((item, i) => r.mapping(item, r.offsetOf(item, branchesF[1]), indexPath('branches', i), 'branches', BRANCH_FIELDS, ['code', 'name']));

  // Every code the file mentions, valid or not, so that a bad code is reported once, where it is,
  // and not again at each reference to it.
  const known = new Set<string>();
  for (const m of maps) {
    const code = m && r.rawString(m.get('code')?.value ?? null);
    if (code !== undefined) known.add(code);
  }

  const seen = new Map<string, number>();
  const drafts: BranchDraft[] = [];
  maps.forEach((m, i) => {
    if (!m) return;
    const path = indexPath('branches', i);
    const draft: BranchDraft = { branch: { weight: DEFAULT_BRANCH_WEIGHT } };
    drafts.push(draft);
    const codeF = r.field(m, path, 'code');
    if (codeF) {
      const code = r.string(...codeF, (s) => BRANCH_CODE_PATTERN.test(s), "a string of 1-64 letters, digits, '_' or '-'");
      draft.branch.code = claimCode(r, codeF, code, seen, 'branch', [RESERVED_BRANCH_CODE, 'for the whole bank']);
    }
    const nameF = r.field(m, path, 'name');
    if (nameF) draft.branch.name = r.string(...nameF, nonEmpty, 'a non-empty string');
    const parentF = r.field(m, path, 'parent');
    const parent = parentF && r.string(...parentF, nonEmpty, 'a branch code');
    // `parent: ALL` says the same as no parent.
    if (parentF && parent !== undefined && parent !== RESERVED_BRANCH_CODE) {
      if (!known.has(parent)) r.report(parentF[1], parentF[2], 'parent', `unknown branch "${parent}"`);
      draft.branch.parent = parent;
      draft.parentF = parentF;
    }
    const weightF = r.field(m, path, 'weight');
    // a weight may be a size such as a loan balance in yuan: trillions, yet sums stay finite
    // 0 is a branch without a share of its parent's allowance (its own branchAllowances may give one)
    if (weightF) {
      draft.branch.weight = r.number(...weightF, (n) => n >= 0, 'a number of 0 or more', 1e15);
      draft.weightF = weightF;
    }
  });

  reportCycles(r, drafts);
  reportWeightless(r, drafts);
  return { list: drafts.map((d) => d.branch as PlanBranch), known };
}

function reportCycles(r: Reader, drafts: BranchDraft[]): void {
  const parentOf = new Map<string, string>();
  for (const { branch } of drafts) {
    if (branch.code !== undefined && branch.parent !== undefined) parentOf.set(branch.code, branch.parent);
  }
  for (const { branch, parentF } of drafts) {
    if (branch.code === undefined || !parentF) continue;
    const chain = [branch.code];
    for (let p = parentOf.get(branch.code); p !== undefined && chain.length <= drafts.length; p = parentOf.get(p)) {
      chain.push(p);
      if (p === branch.code) {
        r.report(parentF[1], parentF[2], 'parent', `parent cycle: ${chain.join(' -> ')}`);
        break;
      }
    }
  }
}

function readTypes(r: Reader, typesF: Field, branches: Set<string> | undefined, year: number | undefined): PlanType[] | undefined {
  const items = r.list(...typesF, true);
  if (!items) return undefined;
  const seen = new Map<string, number>();
  return items.map((item, i) => {
    const path = indexPath('types', i);
    const t: Partial<PlanType> = { branchAllowances: {} };
    const m = r.mapping(item, r.offsetOf(item, typesF[1]), path, 'types', TYPE_FIELDS, ['code', 'name', 'mode', 'annualAllowance']);
    if (!m) return t as PlanType;
    const f = (name: string): Field | undefined => r.field(m, path, name);

    const codeF = f('code');
    if (codeF) {
      const code = r.string(...codeF, (s) => TYPE_CODE_PATTERN.test(s), "a string of 1-64 lowercase letters, digits or '_'");
      t.code = claimCode(r, codeF, code, seen, 'type', [RESERVED_TYPE_CODE, 'for tickets the intake did not classify']);
    }
    const nameF = f('name');
    if (nameF) t.name = r.string(...nameF, nonEmpty, 'a non-empty string');
    const modeF = f('mode');
    if (modeF) t.mode = r.string(...modeF, (s) => MODES.includes(s as PlanMode), '"strict" or "relative"') as PlanMode | undefined;
    const allowanceF = f('annualAllowance');
    if (allowanceF) t.annualAllowance = r.number(...allowanceF, (n) => n >= 0, NON_NEGATIVE);
    const weightsF = f('weeklyWeights');
    if (weightsF) t.weeklyWeights = readWeeklyWeights(r, weightsF, year);

    const overridesF = f('branchAllowances');
    for (const e of (overridesF && r.mapping(...overridesF))?.values() ?? []) {
      const p = propPath(overridesF![2], e.name);
      if (branches && !branches.has(e.name)) {
        r.report(r.offsetOf(e.key), p, 'branchAllowances', `unknown branch "${e.name}" (branchAllowances keys must be branch codes of the plan)`);
      }
      const n = r.number(e.value, e.offset, p, 'branchAllowances', (x) => x >= 0, NON_NEGATIVE);
      // defineProperty: a branch may legally be coded `__proto__`.
      if (n !== undefined) Object.defineProperty(t.branchAllowances, e.name, { value: n, enumerable: true, writable: true, configurable: true });
    }

    const keywordsF = f('keywords');
    const keywords = keywordsF && r.list(...keywordsF);
    if (keywords) t.keywords = keywords.map((k, j) => r.string(k, keywordsF![1], indexPath(keywordsF![2], j), 'keywords', nonEmpty, 'a non-empty string')!);
    return t as PlanType;
  });
}

function readWeeklyWeights(r: Reader, weightsF: Field, year: number | undefined): number[] | undefined {
  const [, offset, path, field] = weightsF;
  const list = r.list(...weightsF);
  if (!list) return undefined;
  const weights = list.map((w, j) => r.number(w, offset, indexPath(path, j), field, (n) => n >= 0, NON_NEGATIVE, 1e15));
  // Without a valid year the expected length is unknown; the year's own issue is reported instead.
  const expected = year === undefined ? undefined : weekCountOfYear(year);
  if (expected !== undefined && list.length !== expected) {
    r.report(offset, path, field, `must have ${expected} entries, one per week of ${year} (got ${list.length})`);
  } else if (weights.every((w) => w !== undefined) && !weights.some((w) => w! > 0)) {
    r.report(offset, path, field, 'must have a positive sum (got all zeros)');
  }
  return weights as number[];
}
