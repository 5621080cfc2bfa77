// The builder's two side inputs, read and validated at the boundary with file, line and field in
// every message: forecast factors per period (YAML or JSON) and branch sizes (CSV).
//
// forecast:                          branches (CSV, header required):
//   periods:                           code,name,parent,size
//     - name: 一季度                    BJ,北京分行,,1200.5
//       months: [1, 2, 3]               BJ-HD,海淀支行,BJ,300
//       factor: 1.1                     BJ-ZG,"海淀, 中关村",BJ,80  (RFC 4180 quoting)
//     - name: 降息窗口
//       from: 2026-05-20               (inclusive, local dates of the plan year)
//       to: 2026-06-30
//       factor: 1.5
//       types: [mortgage_prepayment]    (default: every type)
// A day in several periods gets the product of their factors.

import { LineCounter, parseDocument } from 'yaml';
import { PlanError } from '../errors.ts';
import { BRANCH_CODE_PATTERN, RESERVED_BRANCH_CODE } from '../schema.ts';
import { csvRecords } from './csv.ts';
import { calendarDate, dayOfYear } from './mapping.ts';

export interface ForecastPeriod {
  name: string;
  factor: number;
  /** months 1-12, or an inclusive local date range; exactly one of the two */
  months?: number[];
  from?: string;
  to?: string;
  /** absent: every type */
  types?: string[];
}

export interface BranchSize {
  code: string;
  name: string;
  parent?: string;
  size: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PERIOD_FIELDS = ['name', 'factor', 'months', 'month', 'from', 'to', 'types'];

/** `knownTypes`: the plan's type codes, so a period naming another is refused at its line. */
export function parseForecast(text: string, file: string, year: number, knownTypes?: ReadonlySet<string>): ForecastPeriod[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (path: (string | number)[]) => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lines.linePos(node.range[0]).line : undefined;
  };
  const fail = (path: (string | number)[], field: string, reason: string): never => {
    const dotted = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
    throw new PlanError({ file, line: lineOf(path) ?? lineOf(path.slice(0, -1)), path: dotted, field, reason });
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new PlanError({ file, line: lines.linePos(e.pos[0]).line, reason: `not valid YAML/JSON: ${e.message.split('\n')[0]}` });
  }
  const root = doc.toJS() as unknown;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) fail([], '', 'expected a mapping with "periods"');
  const top = root as Record<string, unknown>;
  for (const k of Object.keys(top)) if (k !== 'periods') fail([k], k, `unknown field "${k}" (allowed: periods)`);
  const periods = top.periods;
  if (!Array.isArray(periods)) return fail(['periods'], 'periods', 'expected a list of periods');
  return periods.map((raw: unknown, i): ForecastPeriod => {
    const at = (f: string) => ['periods', i, f];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(['periods', i], '', 'expected a mapping');
    const p = raw as Record<string, unknown>;
    for (const k of Object.keys(p)) if (!PERIOD_FIELDS.includes(k)) fail(at(k), k, `unknown field "${k}" (allowed: ${PERIOD_FIELDS.join(', ')})`);
    const name = p.name === undefined ? `periods[${i}]` : p.name;
    if (typeof name !== 'string' || name.trim() === '') fail(at('name'), 'name', 'expected a non-empty string');
    if (typeof p.factor !== 'number' || !Number.isFinite(p.factor) || p.factor < 0) {
      fail(at('factor'), 'factor', `expected a number >= 0 (got ${JSON.stringify(p.factor) ?? 'nothing'})`);
    }
    const out: ForecastPeriod = { name: name as string, factor: p.factor as number };
    const hasMonths = p.months !== undefined || p.month !== undefined;
    const hasRange = p.from !== undefined || p.to !== undefined;
    if (hasMonths === hasRange) fail(['periods', i], '', 'give either months (or month) or from and to');
    if (hasMonths) {
      const field = p.months !== undefined ? 'months' : 'month';
      const months = Array.isArray(p[field]) ? (p[field] as unknown[]) : [p[field]];
      if (months.length === 0) fail(at(field), field, 'expected at least one month');
      out.months = months.map((m) => (Number.isInteger(m) && (m as number) >= 1 && (m as number) <= 12 ? (m as number) : fail(at(field), field, `months are 1 to 12 (got ${JSON.stringify(m)})`)));
    } else {
      for (const f of ['from', 'to'] as const) {
        const v = p[f] instanceof Date ? (p[f] as Date).toISOString().slice(0, 10) : p[f];
        const m = typeof v === 'string' ? DATE.exec(v) : null;
        if (!m) fail(at(f), f, `expected a date YYYY-MM-DD (got ${JSON.stringify(v) ?? 'nothing'})`);
        const [, y, mo, d] = m!.map(Number) as [number, number, number, number];
        if (y !== year) fail(at(f), f, `the date ${v as string} is not in the plan year ${year}`);
        const back = calendarDate(year, dayOfYear(year, mo, d));
        if (back.month !== mo || back.day !== d) fail(at(f), f, `no such date ${v as string}`);
        out[f] = v as string;
      }
      if (out.from! > out.to!) fail(at('to'), 'to', `ends (${out.to}) before it starts (${out.from})`);
    }
    if (p.types !== undefined) {
      if (!Array.isArray(p.types) || p.types.length === 0 || !p.types.every((t) => typeof t === 'string')) {
        fail(at('types'), 'types', 'expected a non-empty list of type codes');
      }
      const unknown = knownTypes && (p.types as string[]).find((t) => !knownTypes.has(t));
      if (unknown !== undefined) fail(at('types'), 'types', `names type "${unknown}", which the plan does not have (${[...knownTypes!].join(', ')})`);
      out.types = p.types as string[];
    }
    return out;
  });
}

/** The factor of one day (0-based day of the year) for one type: the product of its periods. */
export function factorOf(periods: readonly ForecastPeriod[], year: number, type: string, dayIndex: number): number {
  const { month, day } = calendarDate(year, dayIndex);
  const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  let f = 1;
  for (const p of periods) {
    if (p.types && !p.types.includes(type)) continue;
    const hit = p.months ? p.months.includes(month) : iso >= p.from! && iso <= p.to!;
    if (hit) f *= p.factor;
  }
  return f;
}

export function parseBranchSizes(text: string, file: string): BranchSize[] {
  const fail = (line: number, field: string, reason: string): never => {
    throw new PlanError({ file, line, path: field ? `${field}` : '', field, reason });
  };
  const [header, ...rows] = csvRecords(text, file);
  const want = ['code', 'name', 'parent', 'size'];
  const got = header?.cells.map((h) => h.trim()) ?? [];
  if (got.join(',') !== want.join(',')) fail(header?.line ?? 1, '', `the header must be exactly "${want.join(',')}" (got "${got.join(',')}")`);
  const out: BranchSize[] = [];
  const lineOf = new Map<string, number>();
  for (const { line, cells: raw } of rows) {
    const cells = raw.map((c) => c.trim());
    if (cells.length !== 4) fail(line, '', `expected 4 comma-separated cells, got ${cells.length} (quote a cell that holds a comma: "Beijing, Haidian")`);
    const [code, name, parent, size] = cells as [string, string, string, string];
    if (!BRANCH_CODE_PATTERN.test(code) || code === RESERVED_BRANCH_CODE) fail(line, 'code', `"${code}" is not a branch code (letters, digits, _ and -, not ALL)`);
    if (lineOf.has(code)) fail(line, 'code', `branch "${code}" is listed twice`);
    if (name === '') fail(line, 'name', 'a branch needs a name');
    const n = Number(size);
    if (size === '' || !Number.isFinite(n) || n <= 0) fail(line, 'size', `expected a number greater than 0 (got "${size}")`);
    lineOf.set(code, line);
    out.push({ code, name, ...(parent ? { parent } : {}), size: n });
  }
  const parentOf = new Map(out.map((b) => [b.code, b.parent]));
  for (const b of out) {
    const line = lineOf.get(b.code)!;
    if (b.parent !== undefined && !lineOf.has(b.parent)) fail(line, 'parent', `parent "${b.parent}" of "${b.code}" is not in the file`);
    // a cycle of parents is this file's mistake: named here, at its line, not in the plan built from it
    const path = [b.code];
    for (let p = b.parent; p !== undefined; p = parentOf.get(p)) {
      if (path.includes(p)) fail(line, 'parent', `branches form a cycle of parents: ${[...path, p].join(' → ')}`);
      path.push(p);
    }
  }
  if (out.length === 0) fail(1, '', 'no branches');
  return out;
}
