import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { STREAM } from '../pipelines/sources/jetstream-setup.ts';

// How full the broker's store is, for /api/health, /metrics and the wall's pipeline facts. A full
// JetStream store refuses every intake system's publish while the monitor, which only reads,
// went on saying "ok". Two signs: the store's figures against their limits, where
// there are limits (an account's or the stream's own; a server-wide max_file_store is not told
// to clients), and the broker refusing the monitor's own writes (the counting lease's renewal
// every 5 s), which shows a full store whatever its limit.

export interface BrokerStoreFacts {
  /** the COMPLAINTS stream; null while the broker cannot be asked */
  stream: { messages: number; bytes: number; firstAtMs: number | null; maxAgeMs: number; maxBytes: number } | null;
  /** the account's JetStream usage; a limit of -1 is none */
  account: { storageBytes: number; storageLimitBytes: number; memoryBytes: number; memoryLimitBytes: number } | null;
  /** the broker connected, yet its JetStream did not answer for the stream (the error): no leader, no quorum */
  jetStreamUnanswered?: string;
}

export interface WriteFailure {
  message: string;
  atMs: number;
}

/** from this share of a limit a store counts as nearly full */
export const NEARLY_FULL = 0.9;
/** a refused write keeps the store degraded this long: refusals and successes alternate as
 *  messages age out, and the store is not healthy again until writes have gone through a while */
export const REFUSAL_MEMORY_MS = 5 * 60_000;
/** the broker's words when its store (server, account or stream limit) cannot take a message */
const STORE_REFUSAL = /insufficient (resources|storage)|resource limits exceeded|maximum bytes exceeded|no space left/i;
/** the broker's words (503, code 10008) when its JetStream has no leader: a quorum lost, every intake publish refused */
const NO_LEADER = /temporarily unavailable/i;
/** a renewal (every 5 s) refused so this recently still says the JetStream has no leader */
export const NO_LEADER_MEMORY_MS = 15_000;

export interface BrokerStoreJudgement {
  status: 'ok' | 'degraded';
  reasons: string[];
  /** the last write the broker refused for want of room, while it counts (REFUSAL_MEMORY_MS) */
  refusal: WriteFailure | null;
}

const mb = (bytes: number) => (bytes < 1_048_576 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1_048_576).toFixed(1)} MB`);
/** within this of an account limit no ticket (up to the contract's 64 KiB) fits: the intake's publishes are refused */
const NO_ROOM_BYTES = 64 * 1024;
const share = (used: number, limit: number) => (limit > 0 ? used / limit : 0);

/** Whether the broker's store can take the intake's messages; pure, so the rules are tested without a broker. */
export function judgeBrokerStore(facts: BrokerStoreFacts, lastWriteFailure: WriteFailure | undefined, nowMs: number): BrokerStoreJudgement {
  const reasons: string[] = [];
  const refusal = lastWriteFailure && STORE_REFUSAL.test(lastWriteFailure.message) && nowMs - lastWriteFailure.atMs <= REFUSAL_MEMORY_MS ? lastWriteFailure : null;
  if (refusal) {
    reasons.push(`the broker refuses to store messages ("${refusal.message}"): its JetStream store is full, and the intake systems' publishes fail`);
  }
  const noLeader = lastWriteFailure && NO_LEADER.test(lastWriteFailure.message) && nowMs - lastWriteFailure.atMs <= NO_LEADER_MEMORY_MS;
  const unanswered = facts.stream ? undefined : (facts.jetStreamUnanswered ?? (noLeader ? lastWriteFailure.message : undefined));
  if (unanswered) {
    // two of three servers down: the lease renewal and every ticket system's publish are refused alike
    const hung = NO_LEADER.test(unanswered) ? '' : ', or the broker hung';
    reasons.push(`JetStream unavailable: no leader or no quorum${hung} ("${unanswered}"); the intake systems' publishes fail until a majority of the broker's servers is back`);
  }
  const { account, stream } = facts;
  if (account && share(account.storageBytes, account.storageLimitBytes) >= NEARLY_FULL) {
    const full = account.storageLimitBytes - account.storageBytes < NO_ROOM_BYTES;
    // an account limit refuses the intake while the lease's renewal, a replacement, still fits: said from the figures
    reasons.push(`the JetStream account's file store is ${Math.round(100 * share(account.storageBytes, account.storageLimitBytes))} % full (${mb(account.storageBytes)} of ${mb(account.storageLimitBytes)})${full ? ': less room than the largest ticket (64 KB), the intake systems\' publishes fail or soon will ("resource limits exceeded for account")' : ''}`);
  }
  if (stream && share(stream.bytes, stream.maxBytes) >= NEARLY_FULL) {
    reasons.push(`stream ${STREAM} holds ${Math.round(100 * share(stream.bytes, stream.maxBytes))} % of its max_bytes (${mb(stream.bytes)} of ${mb(stream.maxBytes)})`);
  }
  return { status: reasons.length ? 'degraded' : 'ok', reasons, refusal };
}

/** What of the monitor the probe reads: its broker connection (throws while it has none), its status, and its lease's writes. */
export interface BrokerStoreSource {
  readonly nc: NatsConnection;
  readonly health?: { readonly nats: string };
  readonly lease: { readonly lastRenewalFailure?: WriteFailure };
}

const NS_PER_MS = 1e6;

/** The store's figures from the broker, at most every 5 s whatever the polling rate. */
export class BrokerStoreProbe {
  private jsm?: JetStreamManager;
  private last?: { atMs: number; facts: BrokerStoreFacts };
  constructor(private readonly source: BrokerStoreSource) {}

  async facts(nowMs: number): Promise<BrokerStoreFacts> {
    if (this.last && nowMs - this.last.atMs < 5_000) return this.last.facts;
    const facts: BrokerStoreFacts = { stream: null, account: null };
    let asked = false;
    try {
      const nc = this.source.nc; // throws while there is none to ask (or the lease is not current): nothing known
      asked = true;
      this.jsm ??= await jetstreamManager(nc, { timeout: 1_000 });
      const [info, account] = await Promise.all([this.jsm.streams.info(STREAM), this.jsm.getAccountInfo()]);
      const firstAtMs = info.state.messages > 0 ? Date.parse(info.state.first_ts) : NaN;
      facts.stream = {
        messages: info.state.messages,
        bytes: info.state.bytes,
        firstAtMs: Number.isFinite(firstAtMs) ? firstAtMs : null,
        maxAgeMs: info.config.max_age / NS_PER_MS,
        maxBytes: info.config.max_bytes,
      };
      facts.account = {
        storageBytes: account.storage,
        storageLimitBytes: account.limits.max_storage,
        memoryBytes: account.memory,
        memoryLimitBytes: account.limits.max_memory,
      };
    } catch (err) {
      this.jsm = undefined; // the broker is away (health says so through nats.status), or no stream yet
      const connected = asked && this.source.health?.nats === 'connected';
      if (connected && !(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) facts.jetStreamUnanswered = (err as Error).message;
    }
    this.last = { atMs: nowMs, facts };
    return facts;
  }

  async judge(nowMs: number): Promise<BrokerStoreFacts & BrokerStoreJudgement> {
    const facts = await this.facts(nowMs);
    return { ...facts, ...judgeBrokerStore(facts, this.source.lease.lastRenewalFailure, nowMs) };
  }
}

const probes = new WeakMap<BrokerStoreSource, BrokerStoreProbe>();

/** One probe per monitor, shared by /api/health, /metrics and the wall's heartbeat. */
export function brokerStoreProbe(source: BrokerStoreSource): BrokerStoreProbe {
  let probe = probes.get(source);
  if (!probe) probes.set(source, (probe = new BrokerStoreProbe(source)));
  return probe;
}

/** /api/health's `broker` */
export function brokerStoreView(j: BrokerStoreFacts & BrokerStoreJudgement, iso: (ms: number) => string) {
  return {
    status: j.status,
    reasons: j.reasons,
    lastRefusedWrite: j.refusal ? { error: j.refusal.message, at: iso(j.refusal.atMs) } : null,
    stream: j.stream && {
      messages: j.stream.messages,
      bytes: j.stream.bytes,
      oldestAt: j.stream.firstAtMs === null ? null : iso(j.stream.firstAtMs),
      maxAgeDays: j.stream.maxAgeMs > 0 ? j.stream.maxAgeMs / 86_400_000 : null,
      maxBytes: j.stream.maxBytes > 0 ? j.stream.maxBytes : null,
    },
    account: j.account && {
      storageBytes: j.account.storageBytes,
      storageLimitBytes: j.account.storageLimitBytes > 0 ? j.account.storageLimitBytes : null,
      memoryBytes: j.account.memoryBytes,
      memoryLimitBytes: j.account.memoryLimitBytes > 0 ? j.account.memoryLimitBytes : null,
    },
  };
}
