// Distinct-customer counting for one (type, scope): per customer the minimum time of its
// contributing first contacts, and a sorted array of those minima, so "customers with a
// contact at or before t" is one binary search.

/** A contributing first-contact event: compared by identity when removed. */
export interface Contribution {
  readonly t: number;
}

/** Sorted multiset of times. Updates are buffered and merged on the next read: a bulk load
 *  costs one sort and one merge, and live events (recent times) land near the end, so the
 *  merge touches only the tail. */
export class SortedTimes {
  private a = new Float64Array(16);
  private n = 0;
  private adds: number[] = [];
  private dels: number[] = [];

  add(t: number): void {
    this.adds.push(t);
  }

  remove(t: number): void {
    this.dels.push(t);
  }

  get length(): number {
    this.flush();
    return this.n;
  }

  /** number of times <= t */
  countAtOrBefore(t: number): number {
    this.flush();
    return upperBound(this.a, this.n, t);
  }

  private flush(): void {
    if (this.adds.length === 0 && this.dels.length === 0) return;
    const adds = Float64Array.from(this.adds).sort(); // typed-array sort is numeric and native
    const dels = Float64Array.from(this.dels).sort();
    this.adds = [];
    this.dels = [];
    // An add and a remove of the same time cancel (a contribution that came and went).
    const plus = new Float64Array(adds.length);
    const minus = new Float64Array(dels.length);
    let i = 0, j = 0, np = 0, nm = 0;
    while (i < adds.length && j < dels.length) {
      const x = adds[i] as number, y = dels[j] as number;
      if (x === y) { i++; j++; }
      else if (x < y) { plus[np++] = x; i++; }
      else { minus[nm++] = y; j++; }
    }
    while (i < adds.length) plus[np++] = adds[i++] as number;
    while (j < dels.length) minus[nm++] = dels[j++] as number;
    if (nm > 0) this.removeSorted(minus.subarray(0, nm));
    if (np > 0) this.mergeSorted(plus.subarray(0, np));
  }

  private removeSorted(minus: Float64Array): void {
    const a = this.a;
    let w = lowerBound(a, this.n, minus[0] as number);
    let k = 0;
    for (let r = w; r < this.n; r++) {
      const v = a[r] as number;
      while (k < minus.length && (minus[k] as number) < v) k++; // removal of an absent time: ignore
      if (k < minus.length && minus[k] === v) { k++; continue; }
      if (k === minus.length) { // nothing left to remove: move the rest in one block
        a.copyWithin(w, r, this.n);
        w += this.n - r;
        break;
      }
      a[w++] = v;
    }
    this.n = w;
  }

  /** Merges from the back, moving each run of existing times with one native copy. */
  private mergeSorted(plus: Float64Array): void {
    const total = this.n + plus.length;
    if (total > this.a.length) {
      const grown = new Float64Array(Math.max(total, Math.ceil(this.a.length * 1.5)));
      grown.set(this.a.subarray(0, this.n));
      this.a = grown;
    }
    const a = this.a;
    let end = this.n; // a[0, end) not yet placed
    for (let j = plus.length - 1; j >= 0; j--) {
      const p = plus[j] as number;
      const at = upperBound(a, end, p);
      a.copyWithin(at + j + 1, at, end);
      a[at + j] = p;
      end = at;
    }
    this.n = total;
  }
}

function lowerBound(a: Float64Array, n: number, t: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function upperBound(a: Float64Array, n: number, t: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) <= t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Distinct customers of one (type, scope), each counted from its earliest contribution. */
export class DistinctCustomers<C extends Contribution> {
  // One contribution per customer is the common case: store it bare, an array only beyond.
  private readonly byCustomer = new Map<number, C | C[]>();
  private readonly times = new SortedTimes();

  get customers(): number {
    return this.byCustomer.size;
  }

  countAtOrBefore(t: number): number {
    return this.times.countAtOrBefore(t);
  }

  add(customer: number, c: C): void {
    const entry = this.byCustomer.get(customer);
    if (entry === undefined) {
      this.byCustomer.set(customer, c);
      this.times.add(c.t);
      return;
    }
    const before = minTime(entry);
    const list = Array.isArray(entry) ? entry : [entry];
    list.push(c);
    this.byCustomer.set(customer, list);
    if (c.t < before) this.move(before, c.t);
  }

  remove(customer: number, c: C): void {
    const entry = this.byCustomer.get(customer);
    if (entry === undefined) return;
    if (!Array.isArray(entry)) {
      if (entry !== c) return;
      this.byCustomer.delete(customer);
      this.times.remove(c.t);
      return;
    }
    const at = entry.indexOf(c);
    if (at < 0) return;
    const before = minTime(entry);
    entry.splice(at, 1);
    const rest: C | C[] = entry.length === 1 ? (entry[0] as C) : entry;
    this.byCustomer.set(customer, rest);
    const after = minTime(rest);
    if (after !== before) this.move(before, after);
  }

  private move(from: number, to: number): void {
    this.times.remove(from);
    this.times.add(to);
  }
}

function minTime<C extends Contribution>(entry: C | C[]): number {
  if (!Array.isArray(entry)) return entry.t;
  let m = Infinity;
  for (const c of entry) if (c.t < m) m = c.t;
  return m;
}
