/** A buffer that grows as rows are written into it: the base of the TSV and Native writers. */
export class ByteWriter {
  protected buf: Buffer;
  protected used = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** empties the writer for reuse, with room for at least `size` bytes */
  reset(size: number): void {
    this.used = 0;
    if (this.buf.length < size) this.buf = Buffer.allocUnsafe(size);
  }

  /** bytes the buffer can hold */
  get capacity(): number {
    return this.buf.length;
  }

  /** what was written, without a copy */
  bytes(): Buffer {
    return this.buf.subarray(0, this.used);
  }

  /** room for `bytes` more: doubles (at least) and copies what was written when short */
  reserve(bytes: number): void {
    if (this.used + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + bytes));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
}
