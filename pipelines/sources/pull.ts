import { jetstreamManager } from '@nats-io/jetstream';
import { createInbox, nanos, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';

// A durable pull consumer read over one plain subscription: pull requests go to the broker's
// `CONSUMER.MSG.NEXT` API with this loop's inbox as the reply, and the messages come back on it.
//
// Why not nats.js's consume(): it wraps every message in a JetStream message object, stamps a
// clock for its heartbeat monitor and compares the decoded subject with its inbox, ~1 µs and
// ~0.3 KB of garbage per message on the pipeline's one busy thread (bench/RESULTS.md). The
// envelope reads what it needs from the client's message itself. What consume() does for a
// consumer's life is kept, the same way: pull ahead once outstanding messages fall to a threshold
// (three quarters of the batch, as consume(), unless told otherwise), treat
// the broker's status messages (a heartbeat, a pull that ran out, a deleted consumer), pull
// afresh after a reconnect, and report missed heartbeats so the caller can start over.

export type PullStatus =
  | { type: 'heartbeats_missed'; count: number }
  | { type: 'consumer_deleted' | 'consumer_not_found'; description: string }
  /** the broker refused the pull itself (a bad request): the loop ends */
  | { type: 'refused'; code: number; description: string }
  /** the message handler threw: the loop ends (as nats.js's consume() did), the caller starts over */
  | { type: 'failed'; description: string };

export interface PullOptions {
  stream: string;
  consumer: string;
  /** messages asked for at most at once (outstanding over all open pulls) */
  maxMessages: number;
  /**
   * asks again once no more than this many are still outstanding (default three quarters of
   * maxMessages, as consume()): one pull per maxMessages − thresholdMessages messages
   */
  thresholdMessages?: number;
  /** how long a pull request stays open at the broker (default 30 s, as consume()) */
  expiresMs?: number;
  /** the broker's idle heartbeat for an open pull (default half of expiresMs, 0.5–30 s) */
  heartbeatMs?: number;
}

const API_PREFIX = '$JS.API';
const PENDING_MESSAGES = 'Nats-Pending-Messages';

/** The client's message fields this loop reads without decoding them (nats.js 3.x MsgImpl). */
interface RawFields {
  _msg?: { reply?: Uint8Array };
}

export class PullLoop {
  private readonly sub: Subscription;
  private readonly inbox: string;
  private readonly nextSubject: string;
  private readonly maxMessages: number;
  private readonly threshold: number;
  private readonly expiresNs: number;
  private readonly heartbeatMs: number;
  private readonly heartbeatNs: number;
  /** messages asked for and not yet delivered or given up by the broker */
  private pending = 0;
  /** anything from the broker on the inbox: a message or a status */
  private heard = 0;
  private heardAtCheck = 0;
  private missed = 0;
  private disconnected = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private stopped = false;
  private resolveClosed!: () => void;
  private readonly closedPromise = new Promise<void>((resolve) => (this.resolveClosed = resolve));
  private readonly statusWatch: { stop(): void } & AsyncIterable<{ type: string }>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: PullOptions,
    private readonly onMessage: (m: Msg) => void,
    private readonly onStatus: (s: PullStatus) => void = () => {},
  ) {
    this.inbox = createInbox((nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
    this.nextSubject = `${API_PREFIX}.CONSUMER.MSG.NEXT.${opts.stream}.${opts.consumer}`;
    this.maxMessages = Math.max(1, opts.maxMessages);
    this.threshold = Math.min(this.maxMessages - 1, Math.max(0, Math.round(opts.thresholdMessages ?? this.maxMessages * 0.75)));
    const expiresMs = Math.max(1_000, opts.expiresMs ?? 30_000);
    this.expiresNs = nanos(expiresMs);
    this.heartbeatMs = Math.min(30_000, Math.max(500, opts.heartbeatMs ?? expiresMs / 2));
    this.heartbeatNs = nanos(this.heartbeatMs);
    this.sub = nc.subscribe(this.inbox, { callback: (err, m) => (err ? this.stop() : this.receive(m)) });
    this.timer = setInterval(() => this.checkHeartbeat(), this.heartbeatMs);
    this.timer.unref();
    // typed as an iterable; it is nats.js's queued iterator, which stops
    this.statusWatch = nc.status() as unknown as PullLoop['statusWatch'];
    void this.watchConnection();
    // the subscription ends with the connection (and with stop()); a handler on the connection's
    // own closed() would keep every loop of a long-lived connection alive
    void this.sub.closed.then(() => this.stop(), () => this.stop());
    this.pull();
  }

  /** Resolves when the loop has ended (stopped, or ended by the broker's answer). */
  closed(): Promise<void> {
    return this.closedPromise;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.statusWatch.stop();
    if (!this.nc.isClosed()) this.sub.unsubscribe();
    this.resolveClosed();
  }

  private receive(m: Msg): void {
    this.heard++;
    if (this.stopped) return;
    const reply = (m as unknown as RawFields)._msg?.reply;
    const isDelivery = reply !== undefined ? reply.length > 0 : Boolean(m.reply);
    if (isDelivery) {
      if (this.pending > 0) this.pending--;
      try {
        this.onMessage(m);
      } catch (err) {
        this.onStatus({ type: 'failed', description: (err as Error).message });
        this.stop();
        return;
      }
    } else {
      this.status(m);
    }
    if (this.pending <= this.threshold && !this.stopped) this.pull();
  }

  /** A status from the broker on the inbox: no reply subject, a code in the header line. */
  private status(m: Msg): void {
    const code = m.headers?.code ?? 0;
    const description = (m.headers?.description ?? '').toLowerCase();
    if (code === 100) return; // idle heartbeat: heard, nothing else
    // a pull that ended (timed out, or cut by the broker) gives back what it had not delivered
    const left = Number(m.headers?.get(PENDING_MESSAGES) ?? 0);
    if (left > 0) this.pending = Math.max(0, this.pending - left);
    if (code === 409 && description.includes('consumer deleted')) {
      this.onStatus({ type: 'consumer_deleted', description });
      this.stop();
    } else if (code === 503) {
      // no one answers the consumer's API subject: the consumer (or JetStream) is not there
      this.onStatus({ type: 'consumer_not_found', description: description || 'no responders' });
      this.stop();
    } else if (code === 400 || (code === 409 && description.includes('push based'))) {
      this.onStatus({ type: 'refused', code, description });
      this.stop();
    }
  }

  private pull(): void {
    const batch = this.maxMessages - this.pending;
    if (batch <= 0) return;
    this.pending += batch;
    this.nc.publish(this.nextSubject, JSON.stringify({ batch, expires: this.expiresNs, idle_heartbeat: this.heartbeatNs }), { reply: this.inbox });
  }

  /** Starts the asking over: what was asked before may be lost (a broker restart forgets pulls). */
  private repull(): void {
    this.pending = 0;
    this.pull();
  }

  /**
   * As nats.js counts: a check with nothing heard since the last one is a miss; two in a row are
   * reported. Every miss asks again on the same inbox: in a cluster, a pull held by a consumer
   * leader that died is gone without a word, and the connection (to another server) never
   * dropped, so nothing else would ask until the loop is rebuilt.
   */
  private checkHeartbeat(): void {
    if (this.stopped || this.disconnected) return;
    if (this.heard !== this.heardAtCheck) {
      this.heardAtCheck = this.heard;
      this.missed = 0;
      return;
    }
    this.missed++;
    if (this.missed >= 2) this.onStatus({ type: 'heartbeats_missed', count: this.missed });
    if (!this.stopped) this.repull();
  }

  /** After a reconnect the broker may be another one, or have lost its state: is the consumer still there? */
  private async checkConsumerExists(): Promise<void> {
    try {
      const jsm = await jetstreamManager(this.nc);
      await jsm.consumers.info(this.opts.stream, this.opts.consumer);
    } catch (err) {
      const code = (err as { code?: unknown; status?: unknown }).code;
      const notFound = /not found/i.test((err as Error).message) || code === 404;
      if (notFound && !this.stopped) {
        this.onStatus({ type: 'consumer_not_found', description: (err as Error).message });
        this.stop();
      }
      // anything else (a timeout right after the reconnect): the heartbeats will tell
    }
  }

  private async watchConnection(): Promise<void> {
    try {
      for await (const s of this.statusWatch) {
        if (s.type === 'disconnect') this.disconnected = true;
        else if (s.type === 'reconnect') {
          this.disconnected = false;
          this.missed = 0;
          this.heardAtCheck = this.heard;
          if (!this.stopped) this.repull();
          void this.checkConsumerExists();
        }
      }
    } catch {
      // the connection's status stream ended with it: nc.closed() stops the loop
    }
  }
}
