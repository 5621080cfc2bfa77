import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { loadPlanFile, PlanError, type CompiledPlan } from './index.ts';

// Fuzzed plan files, through the operator's entry point (loadPlanFile): every file is either a
// whole, consistent plan or refused with a PlanError that names this file and, when the problem
// has a place, the path and field. Never another exception, never a half-built plan.

const DIR = mkdtempSync(join(tmpdir(), 'plan-fuzz-'));
const VALID = {
  year: 2025,
  timezone: 'Asia/Shanghai',
  thresholds: { watch: 0.8 },
  branches: [
    { code: 'BJ', name: '北京分行', weight: 3 },
    { code: 'BJ-HD', name: '海淀支行', parent: 'BJ' },
    { code: 'SH', name: '上海分行', weight: 2 },
  ],
  types: [
    { code: 'mortgage_prepayment', name: '住房贷款提前还款', mode: 'relative', annualAllowance: 80 },
    { code: 'insurance_dispute', name: '代理保险争议', mode: 'strict', annualAllowance: 4, branchAllowances: { SH: 1 } },
  ],
};

let n = 0;
function load(text: string, ext: 'yaml' | 'json'): { plan?: CompiledPlan; error?: unknown; file: string } {
  const file = join(DIR, `case-${n++}.${ext}`);
  writeFileSync(file, text);
  try {
    return { plan: loadPlanFile(file), file };
  } catch (error) {
    return { error, file };
  }
}

function expectWholeOrRefused(r: ReturnType<typeof load>): void {
  if (r.plan) {
    const p = r.plan;
    expect(p.scopes[0]).toBe('ALL');
    expect([53, 54]).toContain(p.weeks.length);
    expect(p.types.length).toBeGreaterThan(0);
    for (const t of p.types) {
      const share = p.cumulativeShare(t.code);
      expect(share.at(-1)).toBeCloseTo(1, 9);
      for (const s of p.scopes) expect(Number.isFinite(p.allowance(t.code, s))).toBe(true);
    }
    return;
  }
  expect(r.error).toBeInstanceOf(PlanError);
  const e = r.error as PlanError;
  expect(e.file).toBe(r.file);
  expect(e.message.startsWith(r.file)).toBe(true);
  expect(e.reason.length).toBeGreaterThan(0);
  if (e.path) expect(e.message).toContain(e.path);
}

// Values of every JSON kind, including the awkward ones.
const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -10, max: 3000 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 12 }),
  fc.constant('Asia/Shanghai'),
  fc.constant('BJ'),
  fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 60 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 }),
);

type Json = unknown;
/** Paths to every node of the valid plan. */
function paths(v: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}
const ALL_PATHS = paths(VALID).filter((p) => p.length > 0);

type Mutation = { path: Array<string | number>; op: 'set' | 'delete' | 'addField'; value: Json; key: string };
const mutation = fc.record({
  path: fc.constantFrom(...ALL_PATHS),
  op: fc.constantFrom('set' as const, 'delete' as const, 'addField' as const),
  value: anyValue,
  key: fc.constantFrom('extra', 'code', 'parent', 'weight', 'mode', 'weeklyWeights', 'annualAllowance'),
});

function mutate(base: Json, ms: Mutation[]): Json {
  const doc = structuredClone(base) as Record<string, unknown>;
  for (const m of ms) {
    let node: any = doc;
    for (const step of m.path.slice(0, -1)) {
      node = node?.[step];
      if (node === null || typeof node !== 'object') break;
    }
    if (node === null || typeof node !== 'object') continue;
    const last = m.path.at(-1)!;
    if (m.op === 'set') node[last] = m.value;
    else if (m.op === 'delete') Array.isArray(node) ? node.splice(Number(last), 1) : delete node[last];
    else if (node[last] && typeof node[last] === 'object' && !Array.isArray(node[last])) node[last][m.key] = m.value;
  }
  return doc;
}

describe('plan fuzz - mutated plans', () => {
  it('the unmutated plan loads, as YAML and as JSON', () => {
    expect(load(toYaml(VALID), 'yaml').plan).toBeDefined();
    expect(load(JSON.stringify(VALID), 'json').plan).toBeDefined();
  });

  it('every mutated plan is whole or refused with file, path and field', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (ms, asJson) => {
        const doc = mutate(VALID, ms);
        const r = asJson ? load(JSON.stringify(doc), 'json') : load(toYaml(doc), 'yaml');
        expectWholeOrRefused(r);
        if (r.error) {
          const e = r.error as PlanError;
          // a mutated document still parses, so the refusal points into it
          expect(e.path.length + e.field.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it('unknown fields anywhere are refused and named', () => {
    for (const p of ALL_PATHS) {
      const doc = mutate(VALID, [{ path: p, op: 'addField', value: 1, key: 'bogusField' }]);
      if (JSON.stringify(doc) === JSON.stringify(VALID)) continue; // not an object there
      const r = load(toYaml(doc), 'yaml');
      expect(r.error, `bogusField under ${p.join('.')}`).toBeInstanceOf(PlanError);
      expect((r.error as PlanError).message).toContain('bogusField');
    }
  });
});

describe('plan fuzz - garbage files', () => {
  it('random text, truncated and byte-flipped plans are refused with the file named', () => {
    const valid = toYaml(VALID);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.integer({ min: 0, max: valid.length }).map((i) => valid.slice(0, i)),
          fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.string({ minLength: 1, maxLength: 3 })).map(
            ([i, s]) => valid.slice(0, i) + s + valid.slice(i + 1),
          ),
        ),
        fc.boolean(),
        (text, asJson) => expectWholeOrRefused(load(text, asJson ? 'json' : 'yaml')),
      ),
      { numRuns: 400, seed: 7 },
    );
  });
});
