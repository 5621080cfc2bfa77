import { JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { parseHolderRecord, type StoredLease } from './lease-rules.ts';

// Where the counting lease lives in NATS JetStream (rules in lease-rules.ts, the holder in
// lease.ts): one small stream, one subject per lease key, one message per subject
// (max_msgs_per_subject 1), each message removed by the broker when it is older than the lease's
// lifetime (max_age). Taking, renewing and releasing are compare-and-set publishes
// (Nats-Expected-Last-Subject-Sequence): of two monitors writing at once, the broker accepts one.
// nats-server 2.9 has all of it.

export const LEASE_STREAM = 'COMPLAINTS_MONITOR_LEASES';
export const LEASE_SUBJECT_PREFIX = 'complaints.monitor.lease.';

export const isWrongSequence = (err: unknown) =>
  err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

/**
 * The broker answered the request, refusing it (a full store, a missing stream): an API error.
 * Anything else a renewal meets (a timeout, no responders, a closed or cut connection) is no
 * answer at all, which says nothing about who holds the lease: nobody can write the lease to a
 * broker that answers no one.
 */
export const isBrokerAnswer = (err: unknown) => err instanceof JetStreamApiError;

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
