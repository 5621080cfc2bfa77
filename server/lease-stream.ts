import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { mayAskStepDown, parseHolderRecord, type StoredLease } from './lease-rules.ts';
import type { Logger } from './monitor-types.ts';

// Where the counting lease lives in NATS JetStream (rules in lease-rules.ts, the holder in
// lease.ts): one small stream, one subject per lease key, one message per subject
// (max_msgs_per_subject 1), each message removed by the broker when it is older than the lease's
// lifetime (max_age). Taking, renewing and releasing are compare-and-set publishes
// (Nats-Expected-Last-Subject-Sequence): of two monitors writing at once, the broker accepts one.
// nats-server 2.9 has all of it, on a sane stream: 2.9.10 after a quorum loss has answered "no
// message" for a subject holding several and accepted two monitors' takes, so an empty read is
// checked against the stream's own per-subject count (readLeaseChecked).

export const LEASE_STREAM = 'COMPLAINTS_MONITOR_LEASES';
export const LEASE_SUBJECT_PREFIX = 'complaints.monitor.lease.';

export const isWrongSequence = (err: unknown) =>
  err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

/** nats-server's code for "JetStream system temporarily unavailable": no meta or stream leader (a quorum lost) */
const JS_TEMPORARILY_UNAVAILABLE = 10008;

/** The broker's JetStream has no leader to answer with (two of three servers down): nobody can write the lease. */
export const isNoJetStreamLeader = (err: unknown) =>
  err instanceof JetStreamApiError && (err.code === JS_TEMPORARILY_UNAVAILABLE || /temporarily unavailable/i.test(err.message));

/**
 * The broker answered the request, refusing it (a full store, a missing stream): an API error.
 * Anything else a renewal meets (a timeout, no responders, a closed or cut connection) is no
 * answer at all, which says nothing about who holds the lease: nobody can write the lease to a
 * broker that answers no one. Nor to a JetStream without a leader, whose 503 is no answer either.
 */
export const isBrokerAnswer = (err: unknown) => err instanceof JetStreamApiError && !isNoJetStreamLeader(err);

/** The lease stream, created once; a lifetime changed by a new version is brought to this one. */
export async function ensureLeaseStream(jsm: JetStreamManager, ttlMs: number): Promise<void> {
  const config = { subjects: [`${LEASE_SUBJECT_PREFIX}>`], max_msgs_per_subject: 1, max_age: nanos(ttlMs), storage: StorageType.File };
  const info = await jsm.streams.info(LEASE_STREAM).catch(() => undefined);
  if (info) {
    if (info.config.max_age !== config.max_age || info.config.max_msgs_per_subject !== 1) await jsm.streams.update(LEASE_STREAM, { ...info.config, ...config });
    return;
  }
  // replicated where the cluster has three servers, so one server's loss does not take the lease with it
  await jsm.streams.add({ name: LEASE_STREAM, ...config, num_replicas: 3 }).catch(() => jsm.streams.add({ name: LEASE_STREAM, ...config }));
}

export async function readLease(jsm: JetStreamManager, key: string): Promise<StoredLease | null> {
  const m = await jsm.streams.getMessage(LEASE_STREAM, { last_by_subj: LEASE_SUBJECT_PREFIX + key });
  return m ? { seq: m.seq, record: parseHolderRecord(m.string()) } : null;
}

/**
 * The lease subject's last record, and when there is none, how many messages the stream's own
 * per-subject state counts on it (lease-rules.ts inconsistentEmptyRead: above 0, or undefined
 * when the stream refused to say, the empty read is not trusted). A count asked of a broker that
 * does not answer, or has no leader, throws as the read would: no answer is not inconsistency.
 */
export async function readLeaseChecked(jsm: JetStreamManager, key: string): Promise<{ stored: StoredLease | null; onSubject: number | undefined }> {
  const stored = await readLease(jsm, key);
  if (stored) return { stored, onSubject: undefined };
  const subject = LEASE_SUBJECT_PREFIX + key;
  try {
    const info = await jsm.streams.info(LEASE_STREAM, { subjects_filter: subject });
    const onSubject = info.state.subjects?.[subject] ?? 0;
    // a record written between the read and the count (two monitors taking at once) is read now
    const now = onSubject > 0 ? await readLease(jsm, key) : null;
    return now ? { stored: now, onSubject: undefined } : { stored, onSubject };
  } catch (err) {
    if (!isBrokerAnswer(err)) throw err;
    return { stored, onSubject: undefined };
  }
}

/**
 * Asks the lease stream's leader to step down: a new leader rebuilds the stream's per-subject
 * state from its own copy (what repaired the audit's inconsistent stream). Resolves with the
 * broker's error when it refused, undefined when done; throws when unanswered.
 */
export async function askLeaseStreamLeaderToStepDown(nc: NatsConnection): Promise<string | undefined> {
  const reply = await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${LEASE_STREAM}`, undefined, { timeout: 5_000 });
  const answer = reply.json<{ success?: boolean; error?: { description?: string } }>();
  return answer.success ? undefined : (answer.error?.description ?? 'refused');
}

/**
 * The repair of an inconsistent lease stream, at most once per lease lifetime, each time logged:
 * its leader asked to step down (a cluster's new leader rebuilds the per-subject state). A single
 * server refuses that ("clustering support required"), and on nats-server 2.9 a single server's
 * stream stayed inconsistent for minutes after a crash: there the key's subject is purged, by its
 * holder at once, by a starting monitor only at its second try (a lease lifetime later, when a
 * live holder would have repaired it itself), and the next round takes the key on a clean subject.
 */
export class LeaseStreamRepair {
  private askedAtMs?: number;
  private asks = 0;
  constructor(
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  async ask(nc: NatsConnection | undefined, why: string, nowMs: number, key: string, held: boolean): Promise<void> {
    if (!nc || !mayAskStepDown(this.askedAtMs, nowMs, this.ttlMs)) return;
    this.askedAtMs = nowMs;
    this.asks++;
    const refused = await askLeaseStreamLeaderToStepDown(nc).catch((err: Error) => `not answered: ${err.message}`);
    this.log.warn({ reason: why, ...(refused ? { refused } : {}) }, "the lease stream's leader asked to step down, for the broker to rebuild its state");
    if (!refused || !/clustering/i.test(refused) || !(held || this.asks > 1)) return;
    const subject = LEASE_SUBJECT_PREFIX + key;
    const purged = await (await jetstreamManager(nc)).streams.purge(LEASE_STREAM, { filter: subject }).then(
      (r) => `${r.purged} message(s)`,
      (err: Error) => `not purged: ${err.message}`,
    );
    this.log.warn({ subject, purged }, "a single server's inconsistent lease subject purged, for the lease to be taken on a clean one");
  }
}
