// Distinct-customer counting for one (type, scope): per customer the minimum time of its
// contributing first contacts, and a sorted array of those minima, so "customers with a
// contact at or before t" is one binary search.

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

/**
 * Distinct customers of one (type, scope), each counted from its earliest contribution. Per
 * customer only the earliest time and the number of contributions are kept (an open-addressing
 * table of typed arrays, ~25 bytes a customer); when the earliest of several contributions is
 * removed, the caller supplies the earliest of the remaining ones.
 */
export class CustomerMinima {
  /** slot → customer + 1 (0 = empty); linear probing, at most 70 % full */
  private keys = new Int32Array(16);
  private mins = new Float64Array(16);
  private counts = new Int32Array(16);
  private n = 0;
  private readonly times = new SortedTimes();

  get customers(): number {
    return this.n;
  }

  countAtOrBefore(t: number): number {
    return this.times.countAtOrBefore(t);
  }

  /** The customer's earliest contribution, or undefined. */
  minOf(customer: number): number | undefined {
    const slot = this.slotOf(customer);
    return this.keys[slot] === 0 ? undefined : this.mins[slot];
  }

  add(customer: number, t: number): void {
    const slot = this.slotOf(customer);
    if (this.keys[slot] === 0) {
      this.keys[slot] = customer + 1;
      this.mins[slot] = t;
      this.counts[slot] = 1;
      this.times.add(t);
      if (++this.n * 10 > this.keys.length * 7) this.rehash();
      return;
    }
    this.counts[slot] = (this.counts[slot] as number) + 1;
    const before = this.mins[slot] as number;
    if (t < before) {
      this.mins[slot] = t;
      this.move(before, t);
    }
  }

  /** Removes one contribution at time t; remainingMin() is asked only when t was the earliest
   *  of several, after the contribution is gone from the caller's state. */
  remove(customer: number, t: number, remainingMin: () => number): void {
    const slot = this.slotOf(customer);
    if (this.keys[slot] === 0) return;
    const before = this.mins[slot] as number;
    const left = (this.counts[slot] as number) - 1;
    this.counts[slot] = left;
    if (left === 0) {
      this.deleteAt(slot);
      this.times.remove(before);
      return;
    }
    if (t !== before && !(Number.isNaN(t) && Number.isNaN(before))) return;
    const after = remainingMin();
    if (after !== before) {
      this.mins[slot] = after;
      this.move(before, after);
    }
  }

  private move(from: number, to: number): void {
    this.times.remove(from);
    this.times.add(to);
  }

  private slotOf(customer: number): number {
    const mask = this.keys.length - 1;
    const key = customer + 1;
    let slot = Math.imul(key, 0x9e3779b1) >>> 0 & mask;
    for (; ; slot = (slot + 1) & mask) {
      const k = this.keys[slot] as number;
      if (k === 0 || k === key) return slot;
    }
  }

  /** Backward-shift deletion: no tombstones, probe chains stay short. */
  private deleteAt(slot: number): void {
    const mask = this.keys.length - 1;
    let hole = slot;
    for (let j = (slot + 1) & mask; this.keys[j] !== 0; j = (j + 1) & mask) {
      const home = Math.imul(this.keys[j] as number, 0x9e3779b1) >>> 0 & mask;
      // j's entry may fill the hole when its home is not in the cyclic range (hole, j]
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        this.keys[hole] = this.keys[j] as number;
        this.mins[hole] = this.mins[j] as number;
        this.counts[hole] = this.counts[j] as number;
        hole = j;
      }
    }
    this.keys[hole] = 0;
    this.n--;
  }

  private rehash(): void {
    const { keys, mins, counts } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.mins = new Float64Array(keys.length * 2);
    this.counts = new Int32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === 0) continue;
      const slot = this.slotOf((keys[i] as number) - 1);
      this.keys[slot] = keys[i] as number;
      this.mins[slot] = mins[i] as number;
      this.counts[slot] = counts[i] as number;
    }
  }
}
