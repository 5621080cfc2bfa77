import type { WebSocket } from 'ws';

// Live fan-out to wall-boards. Every message carries a sequence number of the hub's life; a page
// that sees a gap reconnects and takes a new snapshot, so it never shows a partial picture.
// A screen that stops reading is dropped once its send buffer passes a bound, instead of the
// server buffering for it without limit; it reconnects and resyncs.

export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface Screen {
  socket: WebSocket;
  connectedAtMs: number;
  remote: string;
}

export class WallboardHub {
  private seq = 0;
  private readonly screens = new Set<Screen>();

  get size(): number {
    return this.screens.size;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Sends the snapshot (built by the caller at this instant) and then every later broadcast. */
  attach(screen: Screen, snapshot: (seq: number) => object): void {
    this.screens.add(screen);
    screen.socket.on('close', () => this.screens.delete(screen));
    screen.socket.on('error', () => this.screens.delete(screen));
    this.send(screen, JSON.stringify(snapshot(this.seq)));
  }

  /** Each message gets the next sequence number; all screens get the same text. */
  broadcast(messages: readonly object[]): void {
    for (const message of messages) {
      const text = JSON.stringify({ ...message, seq: ++this.seq });
      for (const screen of this.screens) this.send(screen, text);
    }
  }

  private send(screen: Screen, text: string): void {
    const { socket } = screen;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.screens.delete(screen);
      socket.close(1013, 'too slow: reconnect for a fresh snapshot');
      return;
    }
    socket.send(text);
  }

  closeAll(): void {
    for (const s of this.screens) s.socket.close(1001, 'server stopping');
    this.screens.clear();
  }
}
