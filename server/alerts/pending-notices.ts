import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '../monitor.ts';
import { publishGatewayMessage, type GatewayMessage } from './gateway-notice.ts';

// Gateway notices wait for the audit rows of the changes they announce (engine.ts writes those a
// few times a second). Sent before the write, a crash in between left a notice the restart sent
// again, with the case's acknowledgement clock started again at the restart: the
// notice had gone out, its row had not. Sent after, a crash before the write sends nothing, and
// the restart derives, writes and sends the change once. A write that fails still sends (a lost
// notice to the person on call is worse than a second one; the notice id lets gateways fold it).
//
// Written, they are sent only under a confirmed counting lease. Without one (a broker restarted
// after a hang: the consumer resumes a moment before the lease's renewal answers) they are kept,
// in order, and sent once the lease is confirmed again; they were dropped, and the people on call
// never heard of those alerts. A monitor that learns another holds the lease never
// confirms it again, so it never sends them (it exits 75).
// Sent is not delivered: core NATS writes to the socket, and a hung broker killed after took the
// notices in its buffers with it. So a batch counts as sent once a flush (PING/PONG: the broker
// has read everything before it) answers; a flush cut by the disconnect sends the batch again,
// ahead of later ones, over the next connection (at least once; the noticeId folds repeats).
// What a batch's flush confirmed is reported (`onSent`): the outbox (notice-outbox.ts) marks it
// sent, and a start sends again, ahead of everything, what an earlier run wrote and never marked.

/** how often kept notices look for a confirmed lease again */
export const NOTICE_RETRY_MS = 250;
/** how often notices the broker or the client refused are tried again (a permission given by a reload) */
export const REFUSED_RETRY_MS = 60_000;

/** what the batches learn of refusals (server/notice-refusals.ts) */
export interface Refusals {
  countOf(subject: string): number;
  refused(subject: string, why: string): boolean;
  accepted(subject: string): void;
}

const NO_REFUSALS: Refusals = { countOf: () => 0, refused: () => false, accepted: () => {} };

export class PendingNotices {
  private readonly waiting: GatewayMessage[] = [];
  /** written, not yet sent for want of a confirmed lease, oldest first */
  private unsent: GatewayMessage[] = [];
  private retry?: NodeJS.Timeout;
  private keeping = false;
  /** a batch published, its flush not answered yet: later ones wait, to keep their order */
  private flushing = false;
  private inFlight: Promise<void> = Promise.resolve();
  /** refused by the broker or the client, oldest first: tried again every refusedRetryMs */
  private refused: GatewayMessage[] = [];
  private refusedRetry?: NodeJS.Timeout;

  private readonly retryMs: number;
  private readonly onSent: (messages: readonly GatewayMessage[]) => void;
  private readonly onDropped: (messages: readonly GatewayMessage[]) => void;
  private readonly refusals: Refusals;
  private readonly refusedRetryMs: number;

  constructor(
    /** the broker connection under a confirmed counting lease, or undefined without it */
    private readonly connection: () => Pick<NatsConnection, 'publish' | 'flush'> | undefined,
    private readonly log: () => Logger,
    opts: {
      retryMs?: number;
      /** told of each batch the broker has taken (its flush answered) */
      onSent?: (messages: readonly GatewayMessage[]) => void;
      /** told of refused notices a later notice of their alert replaced: never to be sent */
      onDropped?: (messages: readonly GatewayMessage[]) => void;
      /** refusals by subject (a permission refusal arrives on the connection's status stream) */
      refusals?: Refusals;
      refusedRetryMs?: number;
    } = {},
  ) {
    this.retryMs = opts.retryMs ?? NOTICE_RETRY_MS;
    this.onSent = opts.onSent ?? (() => {});
    this.onDropped = opts.onDropped ?? (() => {});
    this.refusals = opts.refusals ?? NO_REFUSALS;
    this.refusedRetryMs = opts.refusedRetryMs ?? REFUSED_RETRY_MS;
  }

  add(message: GatewayMessage): void {
    this.waiting.push(message);
  }

  /** waiting for their rows' write, or written and kept for want of the lease */
  get size(): number {
    return this.waiting.length + this.unsent.length;
  }

  /**
   * Takes what waits now (the notices of the rows about to be written), to be sent (`release`)
   * once that write is over; notices added meanwhile wait for their own rows' write.
   */
  take(): { messages: readonly GatewayMessage[]; release: () => void } {
    const messages = this.waiting.splice(0);
    return {
      messages,
      release: () => {
        for (const m of messages) this.unsent.push(m);
        this.send();
      },
    };
  }

  /** Resolves once the batch on its way now (if any) is answered or cut: a stop marks it sent. */
  settled(): Promise<void> {
    return this.inFlight;
  }

  /** Notices an earlier run wrote and never saw sent: sent ahead of everything written since. */
  resend(messages: readonly GatewayMessage[]): void {
    if (messages.length === 0) return;
    this.unsent = messages.concat(this.unsent);
    this.send();
  }

  private send(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    if (this.unsent.length === 0 || this.flushing) return;
    const nc = this.connection();
    if (!nc) return this.keep({ unsent: this.unsent.length }, 'alert changes kept, not sent on NATS yet: counting lease unconfirmed; sent once it is');
    const messages = this.unsent.splice(0);
    const before = new Map<string, number>();
    for (const m of messages) if (!before.has(m.subject)) before.set(m.subject, this.refusals.countOf(m.subject));
    // one the client refused outright (larger than max_payload) is not sent, whatever the flush says
    const failed = new Set<GatewayMessage>();
    for (const m of messages) {
      const error = publishGatewayMessage(nc, m, this.log());
      if (error !== undefined) failed.add(m), this.refusals.refused(m.subject, error);
    }
    this.flushing = true;
    this.inFlight = nc.flush().then(
      // a turn later: the broker's refusal came before its PONG, but reaches the count through the status stream
      () => new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.flushing = false;
        if (this.keeping) this.log().info({ sent: messages.length }, 'kept alert changes sent on NATS');
        this.keeping = false;
        this.settle(messages, (m) => failed.has(m) || this.refusals.countOf(m.subject) !== before.get(m.subject));
        this.send();
      }),
      (err: Error) => {
        this.flushing = false;
        this.unsent = messages.concat(this.unsent); // ahead of later ones, in their order
        this.keep({ err: err.message, unsent: this.unsent.length }, 'alert changes sent on NATS without the broker\'s word (connection lost): kept, sent again');
      },
    );
  }

  /**
   * A flushed batch: what was taken is reported sent, and clears its subject's refusal; what a
   * subject's refusal counted during the flush (a permission refusal names the subject, not the
   * message) is kept and tried again a minute later, still unmarked in the outbox meanwhile.
   */
  private settle(messages: readonly GatewayMessage[], wasRefused: (m: GatewayMessage) => boolean): void {
    const taken: GatewayMessage[] = [];
    const earlier = this.refused.splice(0);
    const refusedNow: GatewayMessage[] = [];
    for (const m of messages) (wasRefused(m) ? refusedNow : taken).push(m);
    // an alert's newer notice was taken: its older refused ones would page people for a state
    // already replaced, after the newer news
    const newer = new Set(taken.map(alertOf));
    const stale = earlier.filter((m) => newer.has(alertOf(m)));
    this.refused = earlier.filter((m) => !newer.has(alertOf(m))).concat(refusedNow);
    // a subject stays refused while any of its notices waits for the retry
    const waiting = new Set(this.refused.map((m) => m.subject));
    for (const m of taken) if (!waiting.has(m.subject)) this.refusals.accepted(m.subject);
    if (taken.length) this.onSent(taken);
    if (stale.length) this.onDropped(stale);
    if (refusedNow.length === 0) return;
    this.log().error({ refused: this.refused.length, subjects: [...new Set(refusedNow.map((m) => m.subject))].slice(0, 5) }, 'alert notices refused (no publish permission, or larger than the broker takes): not marked sent; tried again every minute, and by the next start');
    this.refusedRetry ??= setTimeout(() => {
      this.refusedRetry = undefined;
      this.resend(this.refused.splice(0));
    }, this.refusedRetryMs);
    this.refusedRetry.unref();
  }

  /** Tried again a moment later: the engine's writes come only with new changes, a quiet spell must not keep them. */
  private keep(fields: object, why: string): void {
    if (!this.keeping) this.log().warn(fields, why);
    this.keeping = true;
    this.retry = setTimeout(() => this.send(), this.retryMs);
    this.retry.unref();
  }
}

const alertIds = new WeakMap<GatewayMessage, string>();
/** the alert a notice is of (its body's id), read once */
function alertOf(m: GatewayMessage): string {
  let id = alertIds.get(m);
  if (id === undefined) {
    try {
      id = String((JSON.parse(m.data) as { id?: unknown }).id ?? '');
    } catch {
      id = '';
    }
    alertIds.set(m, id);
  }
  return id;
}

