import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { ReplayRing, coalesce, resumeFrom, type LiveMessage } from './wallboard-core.ts';
import { hasPrivate, publicMessage } from './wallboard-public.ts';

// Live fan-out to wall-boards. Every frame carries a sequence number of the hub's life (its
// `epoch`); a page that sees a gap reconnects. A reconnecting page names the last seq it saw and
// gets the frames after it from a bounded ring, or a fresh snapshot when the ring no longer holds
// them: nothing missed, nothing doubled. Counter bursts are coalesced per key and flushed on a
// short timer, so a screen gets a few flushes a second however fast the pipeline runs, each one
// frame per key that changed (a bank-sized plan: dozens), written in one go; numbering happens at
// flush, so coalescing never opens a seq gap. A screen that stops reading is dropped
// once its send buffer passes a bound instead of the server buffering for it; it reconnects.

export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface Screen {
  socket: WebSocket;
  connectedAtMs: number;
  remote: string;
  /** public-area screen: alerts without names or ticket references */
  masked?: boolean;
  /** the last seq sent to this screen */
  lastSeq?: number;
  /**
   * The TCP socket under the WebSocket (the upgrade request's). A flush's frames are written to it
   * corked: one write and as few packets as fit, not one per frame — a bank-sized plan flushes
   * dozens of counter frames at a time, each still its own message as the contract has them.
   */
  wire?: { cork(): void; uncork(): void };
}

export interface HubOptions {
  maxBufferedBytes?: number;
  /** how long counter changes gather before a flush; 0 sends at once */
  coalesceMs?: number;
  /** the clock of the coalescing window (injected in tests) */
  now?: () => number;
  ringEntries?: number;
  ringBytes?: number;
  epoch?: string;
}

export interface Opening {
  /** the full picture; `seq` is the last frame's, so the next live frame is seq + 1 */
  snapshot: (seq: number) => Record<string, unknown>;
  /** the header of a replay: `{type:'resume'}` with the seq the page already has */
  resume: (seq: number) => Record<string, unknown>;
}

export interface HubStats {
  screens: number;
  lastSeq: number;
  framesSent: number;
  slowDropped: number;
  replays: number;
  snapshots: number;
  ringFrames: number;
}

export class WallboardHub {
  readonly epoch: string;
  private seq = 0;
  private readonly screens = new Set<Screen>();
  private readonly ring: ReplayRing;
  private pending = new Map<string, LiveMessage>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxBuffered: number;
  private readonly coalesceMs: number;
  private lastFlushAtMs = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private readonly counts = { framesSent: 0, slowDropped: 0, replays: 0, snapshots: 0 };

  constructor(opts: HubOptions = {}) {
    this.maxBuffered = opts.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.coalesceMs = opts.coalesceMs ?? 250;
    this.now = opts.now ?? Date.now;
    this.ring = new ReplayRing(opts.ringEntries ?? 5000, opts.ringBytes ?? 16 * 1024 * 1024);
    this.epoch = opts.epoch ?? randomBytes(6).toString('hex');
  }

  get size(): number {
    return this.screens.size;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get list(): readonly Screen[] {
    return [...this.screens];
  }

  stats(): HubStats {
    return { screens: this.screens.size, lastSeq: this.seq, ringFrames: this.ring.size, ...this.counts };
  }

  /**
   * Opens a screen: a snapshot, or (when `since` can be served) a resume header and the frames
   * after `since`. Synchronous from here to the end, so no broadcast can slip in between.
   */
  attach(screen: Screen, opening: Opening, since?: { seq: number; epoch: string }): 'snapshot' | 'replay' {
    // Pending changes are numbered first: the snapshot below already contains them.
    this.flush();
    this.screens.add(screen);
    const remove = () => this.screens.delete(screen);
    screen.socket.on('close', remove);
    screen.socket.on('error', remove);
    const plan = resumeFrom(this.ring, this.seq, this.epoch, since);
    if (plan.kind === 'replay') {
      this.counts.replays++;
      this.send(screen, JSON.stringify({ ...opening.resume(since!.seq), type: 'resume', seq: since!.seq, epoch: this.epoch }));
      for (const e of plan.entries) this.send(screen, screen.masked && e.masked !== undefined ? e.masked : e.text, e.seq);
      return 'replay';
    }
    this.counts.snapshots++;
    const snap = { ...opening.snapshot(this.seq), type: 'snapshot', seq: this.seq, epoch: this.epoch };
    this.send(screen, JSON.stringify(screen.masked ? publicMessage(snap) : snap), this.seq);
    return 'snapshot';
  }

  /**
   * Queues a message that supersedes any earlier one with the same key. Leading edge: when the
   * last flush is older than the window, what one batch enqueues goes out at the end of this
   * turn of the event loop (no added latency for sparse updates); inside the window, changes
   * gather until it ends, so a burst costs a screen at most one frame set per window.
   */
  enqueue(key: string, message: LiveMessage): void {
    this.pending = coalesce(this.pending, key, message);
    if (this.coalesceMs <= 0) return this.flush();
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlushAtMs + this.coalesceMs - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends the queued messages now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    this.lastFlushAtMs = this.now();
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.number(batch);
  }

  /** Sends at once, after whatever is queued (so order between keys is kept). */
  broadcast(messages: readonly LiveMessage[]): void {
    this.flush();
    this.number(messages);
  }

  private number(messages: readonly LiveMessage[]): void {
    const frames = messages.map((message) => {
      const seq = ++this.seq;
      const full = { ...message, seq };
      const text = JSON.stringify(full);
      const masked = hasPrivate(full) ? JSON.stringify(publicMessage(full)) : undefined;
      this.ring.push({ seq, text, ...(masked !== undefined && masked !== text ? { masked } : {}) });
      return { seq, text, masked };
    });
    for (const screen of this.screens) {
      // one write per screen and flush; the frames stay separate messages, in order
      screen.wire?.cork();
      try {
        for (const f of frames) this.send(screen, screen.masked && f.masked !== undefined ? f.masked : f.text, f.seq);
      } finally {
        screen.wire?.uncork();
      }
    }
  }

  private send(screen: Screen, text: string, seq?: number): void {
    const { socket } = screen;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.maxBuffered) {
      this.screens.delete(screen);
      this.counts.slowDropped++;
      // A close frame would queue behind the backlog it cannot read; cut the connection instead.
      socket.terminate();
      return;
    }
    socket.send(text);
    this.counts.framesSent++;
    if (seq !== undefined) screen.lastSeq = seq;
  }

  closeAll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of this.screens) s.socket.close(1001, 'server stopping');
    this.screens.clear();
  }
}
