// compilePlan: a validated Plan → lookup tables for the hot path. Every allowance, scope chain and
// cumulative share is computed once here, so that per-event calls are map lookups plus a binary
// search over at most 54 weeks.

import { readFileSync } from 'node:fs';
import { ALL_SCOPE } from '../model.ts';
import { weekLengthsInDays, weeksOfYear, type Week } from './calendar.ts';
import { PlanError } from './errors.ts';
import { parsePlan } from './parse.ts';
import type { Plan, PlanType } from './schema.ts';

export interface CompiledPlan {
  readonly plan: Plan;
  readonly year: number;
  readonly timezone: string;
  readonly watch: number;
  readonly yearStartMs: number;
  /** exclusive */
  readonly yearEndMs: number;
  readonly weeks: readonly Week[];
  /** 'ALL' first, then the branch codes in plan order */
  readonly scopes: readonly string[];
  readonly types: PlanType[];
  readonly typeByCode: ReadonlyMap<string, PlanType>;
  /** the branch, its ancestors nearest first, then 'ALL'; a branch not in the plan → ['ALL'] */
  scopesOf(branch: string): readonly string[];
  /** exact (unrounded) allowance; throws RangeError for a type or scope not in the plan */
  allowance(type: string, scope: string): number;
  /** 0-based; -1 before the year, weeks.length at/after its end */
  weekIndexAt(tMs: number): number;
  /** cumulative allowance of the week containing tMs; 0 before the year, the annual one after */
  allowanceToDate(type: string, scope: string, tMs: number): number;
  /** cumulative share per week; non-decreasing, last element exactly 1 */
  cumulativeShare(type: string): readonly number[];
}

const ONLY_ALL: readonly string[] = Object.freeze([ALL_SCOPE]);

/**
 * Compiles a plan. The plan is validated again (through its JSON form), because a Plan built in
 * code skips parsePlan and a parent cycle would otherwise loop here forever; problems are
 * PlanErrors located in that JSON form, under the file name `(plan object)`.
 */
export function compilePlan(input: Plan): CompiledPlan {
  return build(parsePlan(JSON.stringify(input, null, 2) ?? '', '(plan object)'));
}

/** Reads and compiles a plan file; any failure (missing file included) is a PlanError. */
export function loadPlanFile(path: string): CompiledPlan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'plan file not found' : `cannot read the plan file (${code ?? String(err)})`;
    throw new PlanError({ file: path, reason, cause: err });
  }
  return build(parsePlan(text, path));
}

function build(validated: Plan): CompiledPlan {
  const plan = deepFreeze(validated);
  const weeks = Object.freeze(weeksOfYear(plan.year, plan.timezone).map((w) => Object.freeze(w)));
  const first = weeks[0]!;
  const last = weeks[weeks.length - 1]!;

  const parentOf = new Map<string, string>();
  const children = new Map<string, string[]>([[ALL_SCOPE, []]]);
  for (const b of plan.branches) children.set(b.code, []);
  for (const b of plan.branches) {
    const parent = b.parent ?? ALL_SCOPE;
    parentOf.set(b.code, parent);
    children.get(parent)!.push(b.code);
  }
  const weightOf = new Map(plan.branches.map((b) => [b.code, b.weight]));
  const siblingWeight = new Map<string, number>();
  for (const [parent, kids] of children) siblingWeight.set(parent, kids.reduce((s, k) => s + weightOf.get(k)!, 0));

  const scopeChains = new Map<string, readonly string[]>();
  for (const b of plan.branches) {
    const chain = [b.code];
    for (let p = parentOf.get(b.code); p !== undefined && p !== ALL_SCOPE; p = parentOf.get(p)) chain.push(p);
    chain.push(ALL_SCOPE);
    scopeChains.set(b.code, Object.freeze(chain));
  }

  // Parents before children: the plan allows forward references, so walk the tree from ALL.
  const order: string[] = [];
  const visit = (scope: string): void => {
    order.push(scope);
    for (const kid of children.get(scope)!) visit(kid);
  };
  visit(ALL_SCOPE);

  // One lookup per type, then one per scope: the hot path touches two maps and one small array.
  const dayShare = cumulative(weekLengthsInDays(plan.year));
  const tables = new Map<string, { byScope: Map<string, number>; share: readonly number[]; toDate: Map<string, Float64Array> }>();
  for (const t of plan.types) {
    const exact = new Map<string, number>([[ALL_SCOPE, t.annualAllowance]]);
    for (const scope of order.slice(1)) {
      const parent = parentOf.get(scope)!;
      exact.set(
        scope,
        Object.hasOwn(t.branchAllowances, scope)
          ? t.branchAllowances[scope]!
          : (exact.get(parent)! * weightOf.get(scope)!) / siblingWeight.get(parent)!,
      );
    }
    const share = t.weeklyWeights ? cumulative(t.weeklyWeights) : dayShare;
    const byScope = new Map([...exact].map(([scope, a]) => [scope, snap(a)]));
    const toDate = new Map([...exact].map(([scope, a]) => [scope, Float64Array.from(share, (s) => snap(a * s))]));
    tables.set(t.code, { byScope, share, toDate });
  }
  const tableOf = (type: string) => {
    const table = tables.get(type);
    if (!table) throw new RangeError(`unknown complaint type "${type}"`);
    return table;
  };
  const allowance = (type: string, scope: string): number => {
    const a = tableOf(type).byScope.get(scope);
    if (a === undefined) throw new RangeError(`unknown scope "${scope}"`);
    return a;
  };

  const yearStartMs = first.startMs;
  const yearEndMs = last.endMs;
  // calendar.weekIndexAt over a typed array of week starts: the same rule, fewer indirections.
  const starts = Float64Array.from(weeks, (w) => w.startMs);
  const weekIndexAt = (tMs: number): number => {
    if (!(tMs >= yearStartMs)) return -1; // NaN counts as "before"
    if (tMs >= yearEndMs) return starts.length;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= tMs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  return Object.freeze({
    plan,
    year: plan.year,
    timezone: plan.timezone,
    watch: plan.thresholds.watch,
    yearStartMs,
    yearEndMs,
    weeks,
    scopes: Object.freeze([ALL_SCOPE, ...plan.branches.map((b) => b.code)]),
    types: plan.types,
    typeByCode: new Map(plan.types.map((t) => [t.code, t])),
    scopesOf: (branch: string) => scopeChains.get(branch) ?? ONLY_ALL,
    allowance,
    weekIndexAt,
    allowanceToDate(type: string, scope: string, tMs: number): number {
      const table = tableOf(type);
      const curve = table.toDate.get(scope);
      if (curve === undefined) throw new RangeError(`unknown scope "${scope}"`);
      const w = weekIndexAt(tMs);
      if (w < 0) return 0;
      return w >= starts.length ? table.byScope.get(scope)! : curve[w]!;
    },
    cumulativeShare: (type: string): readonly number[] => tableOf(type).share,
  });
}

/**
 * An allowance as the plan means it: 365 × 53/365 is 53, not 52.99999999999999, which a count of
 * 53 would exceed (a false breach). Only values within float error of a whole number move; every
 * other allowance keeps its full precision (a count, a whole number, can never equal it).
 */
export function snap(x: number): number {
  const whole = Math.round(x);
  return Math.abs(x - whole) <= 1e-9 * Math.max(1, Math.abs(x)) ? whole : x;
}

/**
 * Cumulative shares of non-negative amounts with a positive total. Prefix sums use compensated
 * (Neumaier) summation so long weight lists do not drift; the result is clamped to be
 * non-decreasing and the last element is exactly 1, so the curve ends at the annual allowance.
 */
export function cumulative(amounts: readonly number[]): readonly number[] {
  const prefix: number[] = [];
  let sum = 0;
  let comp = 0;
  for (const a of amounts) {
    const t = sum + a;
    comp += Math.abs(sum) >= Math.abs(a) ? sum - t + a : a - t + sum;
    sum = t;
    prefix.push(sum + comp);
  }
  const total = prefix[prefix.length - 1]!;
  const shares = prefix.map((p) => Math.min(1, p / total));
  for (let i = 1; i < shares.length; i++) shares[i] = Math.max(shares[i]!, shares[i - 1]!);
  shares[shares.length - 1] = 1;
  return Object.freeze(shares);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
