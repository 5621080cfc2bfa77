// A bounded window of recently seen ids: two generations of `window` ids each; when the current
// one is full it becomes the previous and the oldest generation is dropped. So at least the
// `window` most recent ids (and at most 2 × window) are remembered, in bounded memory, copied
// into byte arenas (no event or page string is kept alive by it).

import { hashOf, StringIds } from './string-ids.ts';

export class RecentIds {
  private current = new StringIds();
  private previous = new StringIds();

  constructor(private readonly window: number) {}

  get size(): number {
    return this.current.size + this.previous.size;
  }

  get bytesHeld(): number {
    return this.current.bytesHeld + this.previous.bytesHeld;
  }

  has(id: string): boolean {
    const h = hashOf(id);
    return this.current.find(id, h) >= 0 || this.previous.find(id, h) >= 0;
  }

  add(id: string): void {
    this.addIfNew(id);
  }

  /** Adds id unless it is remembered; true if it was not. One hash for both questions. */
  addIfNew(id: string): boolean {
    const h = hashOf(id);
    if (this.previous.find(id, h) >= 0) return false;
    const before = this.current.size;
    this.current.add(id, h);
    if (this.current.size === before) return false;
    if (this.current.size >= this.window) {
      this.previous = this.current;
      this.current = new StringIds();
    }
    return true;
  }
}
