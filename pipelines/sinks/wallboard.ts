import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { ReplayRing, coalesce, resumeFrom, type LiveMessage, type RingEntry } from './wallboard-core.ts';
import { hasPrivate, publicMessage } from './wallboard-public.ts';
import { briefSnapshot } from './wallboard-brief.ts';
import {
  backlogAfterSnapshot, briefForms, formFor, heldScreen, snapshotForm, takes, type ScreenForm,
} from './wallboard-forms.ts';

export { backlogAfterSnapshot } from './wallboard-forms.ts';

// Live fan-out to wall-boards. Every frame carries a sequence number of the hub's life (its
// `epoch`); a page that sees a gap reconnects. A reconnecting page names the last seq it saw and
// gets the frames after it from a bounded ring, or a fresh snapshot when the ring no longer holds
// them: nothing missed, nothing doubled. Counter bursts are coalesced per key and flushed on a
// short timer, so a screen gets a few flushes a second however fast the pipeline runs, each one
// frame per key that changed (a bank-sized plan: dozens), written in one go; numbering happens at
// flush, so coalescing never opens a seq gap.
// A screen that falls behind is not buffered for without bound: once more than MAX_BUFFERED_BYTES
// of frames sent *after its last snapshot* wait in its socket, it gets no more frames; when its
// link has drained it gets a fresh snapshot (a picture is worth more than the frames it missed),
// and only a screen that drains nothing for STUCK_MS is cut. The snapshot itself does not count:
// were it counted, a big one on a slow link would be cut by the next frame, and the screen would
// reconnect into the same cut for ever. The decisions themselves are plain (wallboard-forms.ts).

export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** how long a screen held back may take to drain before it is taken for dead and cut */
export const STUCK_MS = 2 * 60 * 1000;

/** A connected page; `masked`, `briefSnapshot` and `only` (ScreenForm) say which frames it takes and in what form. */
export interface Screen extends ScreenForm {
  socket: WebSocket;
  connectedAtMs: number;
  remote: string;
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
  /** how long a held-back screen may take to drain before it is cut */
  stuckMs?: number;
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
  /** fresh snapshots sent to screens that had fallen behind */
  catchUps: number;
  ringFrames: number;
}

/** What the hub keeps per screen to judge its backlog and give it a fresh picture. */
interface Link {
  opening: Opening;
  /** bytes sent to the screen since its last snapshot */
  sentSinceSnapshot: number;
  /** set while frames are held back from it: when that started */
  heldSinceMs?: number;
  /** its buffered bytes when last checked while held back (progress = fewer) */
  heldBuffered?: number;
}

export class WallboardHub {
  readonly epoch: string;
  private seq = 0;
  /** Until a screen attaches, no frame can be asked for again (the epoch is given out in frames
   *  only): they are numbered, not built. A start over a year derives ~100k alerts, each framed
   *  in three forms for the ring, while the port still answers 503 (audit CO1). */
  private attachedOnce = false;
  private readonly screens = new Map<Screen, Link>();
  private readonly ring: ReplayRing;
  private pending = new Map<string, LiveMessage>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxBuffered: number;
  private readonly stuckMs: number;
  private readonly coalesceMs: number;
  private lastFlushAtMs = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private readonly counts = { framesSent: 0, slowDropped: 0, replays: 0, snapshots: 0, catchUps: 0 };

  constructor(opts: HubOptions = {}) {
    this.maxBuffered = opts.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.stuckMs = opts.stuckMs ?? STUCK_MS;
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
    return [...this.screens.keys()];
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
    this.attachedOnce = true;
    this.screens.set(screen, { opening, sentSinceSnapshot: 0 });
    const remove = () => this.screens.delete(screen);
    screen.socket.on('close', remove);
    screen.socket.on('error', remove);
    const plan = resumeFrom(this.ring, this.seq, this.epoch, since);
    if (plan.kind === 'replay') {
      this.counts.replays++;
      const header = { ...opening.resume(since!.seq), type: 'resume', seq: since!.seq, epoch: this.epoch };
      this.send(screen, JSON.stringify(header));
      // as live: a client naming no view is not replayed the frames it would never have been sent
      for (const e of plan.entries) if (takes(screen, e)) this.send(screen, formFor(screen, e), e.seq);
      return 'replay';
    }
    this.counts.snapshots++;
    this.sendSnapshot(screen, opening.snapshot(this.seq), this.seq);
    return 'snapshot';
  }

  /**
   * A fresh snapshot for every screen (a week rollover, a new plan), numbered as one frame. Each
   * screen gets its own form (brief, masked); the ring keeps only a marker, so a page resuming
   * across it takes a snapshot too, and the ring holds no multi-megabyte picture.
   */
  resnapshot(build: (seq: number) => Record<string, unknown>): void {
    this.flush();
    const seq = ++this.seq;
    this.ring.push({ seq, text: '', snapshot: true });
    const raw = build(seq);
    const texts = new Map<string, string>();
    for (const [screen, link] of this.screens) {
      if (link.heldSinceMs !== undefined) {
        this.catchUp(screen, link);
        continue;
      }
      this.counts.snapshots++;
      this.sendSnapshot(screen, raw, seq, texts);
    }
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
    if (!this.attachedOnce) return void (this.seq += messages.length);
    const frames = messages.map((message) => {
      const seq = ++this.seq;
      const full = { ...message, seq };
      const text = JSON.stringify(full);
      const masked = hasPrivate(full) ? JSON.stringify(publicMessage(full)) : undefined;
      const entry: RingEntry = {
        seq,
        text,
        type: message.type,
        ...(masked !== undefined && masked !== text ? { masked } : {}),
        ...briefForms(full),
      };
      this.ring.push(entry);
      return entry;
    });
    for (const screen of this.screens.keys()) {
      // one write per screen and flush; the frames stay separate messages, in order
      screen.wire?.cork();
      try {
        for (const f of frames) {
          // a catch-up snapshot sent during this batch already holds the rest of it
          if (screen.lastSeq !== undefined && f.seq <= screen.lastSeq) continue;
          if (!takes(screen, f)) continue;
          this.send(screen, formFor(screen, f), f.seq);
        }
      } finally {
        screen.wire?.uncork();
      }
    }
  }

  private send(screen: Screen, text: string, seq?: number): void {
    const { socket } = screen;
    const link = this.screens.get(screen);
    if (!link || socket.readyState !== socket.OPEN) return;
    if (link.heldSinceMs !== undefined) return this.catchUp(screen, link);
    if (backlogAfterSnapshot(socket.bufferedAmount, link.sentSinceSnapshot) > this.maxBuffered) {
      link.heldSinceMs = this.now();
      link.heldBuffered = socket.bufferedAmount;
      return;
    }
    socket.send(text);
    link.sentSinceSnapshot += Buffer.byteLength(text);
    this.counts.framesSent++;
    if (seq !== undefined) screen.lastSeq = seq;
  }

  /** Sends a snapshot in the screen's form; `texts` shares the forms between screens of one broadcast. */
  private sendSnapshot(
    screen: Screen,
    raw: Record<string, unknown>,
    seq: number,
    texts = new Map<string, string>(),
  ): void {
    const link = this.screens.get(screen);
    const { socket } = screen;
    if (!link || socket.readyState !== socket.OPEN) return;
    const form = snapshotForm(screen);
    let text = texts.get(form);
    if (text === undefined) {
      let snap: Record<string, unknown> = { ...raw, type: 'snapshot', seq, epoch: this.epoch };
      if (screen.briefSnapshot) snap = briefSnapshot(snap);
      text = JSON.stringify(screen.masked ? publicMessage(snap) : snap);
      texts.set(form, text);
    }
    socket.send(text);
    link.sentSinceSnapshot = 0;
    link.heldSinceMs = link.heldBuffered = undefined;
    this.counts.framesSent++;
    screen.lastSeq = seq;
  }

  /**
   * A held-back screen (heldScreen says which): a fresh snapshot numbered as the last frame, so
   * the next live frame follows it; a new start of its stuck time; nothing yet; or cut.
   */
  private catchUp(screen: Screen, link: Link): void {
    const { socket } = screen;
    const buffered = socket.bufferedAmount;
    const now = this.now();
    const held = heldScreen(buffered, link.heldBuffered, link.heldSinceMs!, now, this.maxBuffered, this.stuckMs);
    if (held === 'snapshot') {
      this.counts.catchUps++;
      this.sendSnapshot(screen, link.opening.snapshot(this.seq), this.seq);
      return;
    }
    if (held === 'progress') {
      link.heldBuffered = buffered;
      link.heldSinceMs = now;
      return;
    }
    if (held === 'wait') return;
    this.screens.delete(screen);
    this.counts.slowDropped++;
    // A close frame would queue behind the backlog it cannot read; cut the connection instead.
    socket.terminate();
  }

  closeAll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of this.screens.keys()) s.socket.close(1001, 'server stopping');
    this.screens.clear();
  }
}
