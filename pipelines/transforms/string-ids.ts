// Exact string → dense integer ids, without a JS string per entry: the characters live in one
// byte arena and an open-addressing table maps hashes to ids, comparing the stored characters on
// every hit (a hash collision never merges two strings). Ticket ids and customer hashes are
// millions of short ASCII strings; as JS strings in a Map they cost ~100 bytes each, here
// length + ~20. Strings with a character above U+00FF (not expected in ids) go to a plain Map.

export class StringIds {
  private bytes = new Uint8Array(1 << 12);
  private used = 0;
  private offsets = new Uint32Array(256);
  private lengths = new Uint16Array(256);
  private hashes = new Int32Array(256);
  /** slot → id + 1 (0 = empty); power-of-two size, at most 70 % full */
  private table = new Int32Array(512);
  private readonly wide = new Map<string, number>();
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** Bytes held, for the memory benchmark. */
  get bytesHeld(): number {
    return this.bytes.byteLength + this.offsets.byteLength + this.lengths.byteLength + this.hashes.byteLength + this.table.byteLength;
  }

  /** The id of s, or -1 when s was never added. */
  find(s: string, h = hashOf(s)): number {
    if (h === WIDE) return this.wide.get(s) ?? -1;
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = this.table[slot] as number;
      if (v === 0) return -1;
      if (this.hashes[v - 1] === h && this.equals(v - 1, s)) return v - 1;
    }
  }

  /** The id of s, added when new (ids are 0, 1, 2, … in order of first addition). */
  add(s: string, h = hashOf(s)): number {
    if (h === WIDE) {
      let id = this.wide.get(s);
      if (id === undefined) this.wide.set(s, (id = this.push(s, h)));
      return id;
    }
    const mask = this.table.length - 1;
    let slot = h & mask;
    for (; ; slot = (slot + 1) & mask) {
      const v = this.table[slot] as number;
      if (v === 0) break;
      if (this.hashes[v - 1] === h && this.equals(v - 1, s)) return v - 1;
    }
    const id = this.push(s, h);
    this.table[slot] = id + 1;
    if (this.n * 10 > this.table.length * 7) this.rehash();
    return id;
  }

  private push(s: string, h: number): number {
    const id = this.n++;
    if (id === this.offsets.length) {
      const cap = Math.ceil(id * 1.5);
      this.offsets = grow(this.offsets, cap);
      this.lengths = grow(this.lengths, cap);
      this.hashes = grow(this.hashes, cap);
    }
    this.hashes[id] = h;
    if (h === WIDE) return id; // characters kept by the Map's key
    if (this.used + s.length > this.bytes.length) this.bytes = grow(this.bytes, Math.ceil((this.used + s.length) * 1.5));
    this.offsets[id] = this.used;
    this.lengths[id] = s.length;
    for (let i = 0; i < s.length; i++) this.bytes[this.used + i] = s.charCodeAt(i);
    this.used += s.length;
    return id;
  }

  private equals(id: number, s: string): boolean {
    if (this.lengths[id] !== s.length) return false;
    const at = this.offsets[id] as number;
    for (let i = 0; i < s.length; i++) if (this.bytes[at + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let id = 0; id < this.n; id++) {
      const h = this.hashes[id] as number;
      if (h === WIDE) continue;
      let slot = h & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    this.table = table;
  }
}

/** Marks a string that does not fit the byte arena (a character above U+00FF, or too long). */
const WIDE = -0x7fffffff;

/** FNV-1a over the UTF-16 code units; WIDE when a unit is above 0xff. */
/** The table's hash of s: pass it to find and add to look one string up in several tables. */
export function hashOf(s: string): number {
  if (s.length > 0xffff) return WIDE;
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return WIDE;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h === WIDE ? h + 1 : h;
}

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** A copy of a typed array with room for cap elements. */
export function grow<T extends Typed>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(cap, 16));
  b.set(a as never);
  return b;
}

/** Grows an Int32Array to hold `index`, the new cells set to `fill`. */
export function growFilled(a: Int32Array<ArrayBuffer>, index: number, fill = -1): Int32Array<ArrayBuffer> {
  const b = grow(a, Math.max(index + 1, Math.ceil(a.length * 1.5)));
  b.fill(fill, a.length);
  return b;
}

/** A copy of s that holds no larger string alive (parsed pages hand out slices of themselves). */
export function flat(s: string): string {
  return s.length < 13 ? s : JSON.parse(JSON.stringify(s)) as string;
}
