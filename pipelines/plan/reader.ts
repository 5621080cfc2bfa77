// Reads values out of a parsed YAML document (JSON is YAML) while remembering where each problem
// is, so the plan parser can report the first problem in document order with its line. Problems
// are collected rather than thrown because a check may need a value found later in the file
// (e.g. the year, for the length of weeklyWeights), yet the report must still name the first one.

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import { PlanError } from './errors.ts';

export interface Issue {
  offset: number;
  path: string;
  field: string;
  reason: string;
}

export interface Entry {
  name: string;
  key: Node;
  value: Node | null;
  /** where to point at when the value itself is the problem (the key when the value is empty) */
  offset: number;
}

/** A field's value with everything needed to report on it: [value, offset, path, field]. */
export type Field = [value: Node | null, offset: number, path: string, field: string];

export function propPath(path: string, key: string): string {
  const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!path) return part;
  return part.startsWith('[') ? path + part : `${path}.${part}`;
}

export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

/**
 * No number of a plan goes beyond this unless its field says so: far beyond any bank's figures,
 * yet finite numbers near 1e308 passed, and their sums overflowed to Infinity (allowances NaN,
 * every level 'ok'), or a deadline past the year 275760 made the alert engine throw at every start.
 */
export const MAX_PLAN_NUMBER = 10_000_000;

export class Reader {
  readonly issues: Issue[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Follows aliases (`*anchor`) so that they read like the anchored node. */
  node(value: unknown): Node | null {
    if (isAlias(value)) return (value.resolve(this.doc) as Node | undefined) ?? null;
    return (value ?? null) as Node | null;
  }

  offsetOf(node: Node | null, fallback = 0): number {
    return node?.range?.[0] ?? fallback;
  }

  report(offset: number, path: string, field: string, reason: string): void {
    this.issues.push({ offset, path, field, reason });
  }

  lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  /** The first issue in document order, as a PlanError; undefined when there is none. */
  firstError(file: string): PlanError | undefined {
    let first: Issue | undefined;
    for (const issue of this.issues) if (!first || issue.offset < first.offset) first = issue;
    if (!first) return undefined;
    return new PlanError({ file, line: this.lineAt(first.offset), path: first.path, field: first.field, reason: first.reason });
  }

  /** A short rendering of what was found, for `(got …)`. */
  describe(node: Node | null): string {
    if (node === null) return 'nothing';
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return node.items.length === 0 ? 'an empty list' : 'a list';
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
      if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    }
    return 'an unsupported value';
  }

  private mustBe(node: Node | null, offset: number, path: string, field: string, what: string, hint = ''): undefined {
    this.report(this.offsetOf(node, offset), path, field, `must be ${what} (got ${this.describe(node)}${hint})`);
    return undefined;
  }

  /**
   * The entries of a mapping in document order. Keys outside `allowed` are reported, and so are
   * missing `required` keys (at the mapping itself). `allowed` undefined means any string key.
   */
  mapping(
    node: Node | null,
    offset: number,
    path: string,
    field: string,
    allowed?: readonly string[],
    required: readonly string[] = [],
  ): Map<string, Entry> | undefined {
    if (!isMap(node)) return this.mustBe(node, offset, path, field, 'a mapping');
    const entries = new Map<string, Entry>();
    for (const pair of node.items as Pair<unknown, unknown>[]) {
      const key = this.node(pair.key);
      const keyOffset = this.offsetOf(key, this.offsetOf(node));
      const raw = isScalar(key) ? key.value : undefined;
      if (typeof raw !== 'string') {
        const hint = typeof raw === 'number' ? '; quote keys that look like numbers' : '';
        this.report(keyOffset, path, field, `keys must be strings (got ${this.describe(key)}${hint})`);
        continue;
      }
      if (allowed && !allowed.includes(raw)) {
        this.report(keyOffset, propPath(path, raw), raw, `unknown field (allowed: ${allowed.join(', ')})`);
        continue;
      }
      const value = this.node(pair.value);
      entries.set(raw, { name: raw, key: key as Node, value, offset: this.offsetOf(value, keyOffset) });
    }
    for (const name of required) {
      if (!entries.has(name)) this.report(this.offsetOf(node), propPath(path, name), name, 'is required');
    }
    return entries;
  }

  /** One entry of a mapping read by `mapping`, as a Field under `path`. */
  field(entries: Map<string, Entry>, path: string, name: string): Field | undefined {
    const e = entries.get(name);
    return e && [e.value, e.offset, propPath(path, name), name];
  }

  list(node: Node | null, offset: number, path: string, field: string, nonEmpty = false): Array<Node | null> | undefined {
    if (!isSeq(node) || (nonEmpty && node.items.length === 0)) {
      return this.mustBe(node, offset, path, field, nonEmpty ? 'a non-empty list' : 'a list');
    }
    return node.items.map((item) => this.node(item));
  }

  number(
    node: Node | null,
    offset: number,
    path: string,
    field: string,
    ok: (n: number) => boolean,
    what: string,
    atMost = MAX_PLAN_NUMBER,
  ): number | undefined {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === 'number' && Number.isFinite(v) && ok(v)) {
      if (v <= atMost) return v;
      return this.mustBe(node, offset, path, field, `at most ${atMost.toLocaleString('en-US')}`);
    }
    return this.mustBe(node, offset, path, field, what);
  }

  string(
    node: Node | null,
    offset: number,
    path: string,
    field: string,
    ok: (s: string) => boolean,
    what: string,
  ): string | undefined {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === 'string' && ok(v)) return v;
    const hint = typeof v === 'number' ? '; quote values that look like numbers' : '';
    return this.mustBe(node, offset, path, field, what, hint);
  }

  /** The raw string of a scalar, without validation (to know which codes a plan mentions). */
  rawString(node: Node | null): string | undefined {
    const v = isScalar(node) ? node.value : undefined;
    return typeof v === 'string' ? v : undefined;
  }
}
