import { describe, expect, it } from 'vitest';
import { BrokerStoreProbe, judgeBrokerStore, NO_LEADER_MEMORY_MS, REFUSAL_MEMORY_MS, type BrokerStoreFacts } from './broker-store.ts';

// The rules that turn the broker's store figures and the monitor's refused writes into
// /api/health's "degraded" (audit W F2: a full store refused every intake publish while the
// monitor said "ok").

const NOW = 1_800_000_000_000;
const MB = 1_048_576;
const facts = (over: Partial<{ bytes: number; maxBytes: number; storage: number; storageLimit: number }> = {}): BrokerStoreFacts => ({
  stream: { messages: 1_000, bytes: over.bytes ?? 20 * MB, firstAtMs: NOW - 86_400_000, maxAgeMs: 90 * 86_400_000, maxBytes: over.maxBytes ?? -1 },
  account: { storageBytes: over.storage ?? 21 * MB, storageLimitBytes: over.storageLimit ?? -1, memoryBytes: 0, memoryLimitBytes: -1 },
});

describe('broker store - judgement', () => {
  it.each([
    ['no limits, no refusal', facts(), undefined, 'ok', []],
    ['the broker refused the lease renewal for want of room a minute ago', facts(), { message: 'insufficient resources', atMs: NOW - 60_000 }, 'degraded', [/refuses to store messages \("insufficient resources"\)/]],
    ['an account limit refused it', facts(), { message: 'resource limits exceeded for account', atMs: NOW - 1_000 }, 'degraded', [/refuses/]],
    ['a refusal older than the memory', facts(), { message: 'insufficient resources', atMs: NOW - REFUSAL_MEMORY_MS - 1 }, 'ok', []],
    ['a renewal that timed out (the broker away: nats.status says so)', facts(), { message: 'TIMEOUT', atMs: NOW - 1_000 }, 'ok', []],
    ['the account store at 95 % of its limit', facts({ storage: 95 * MB, storageLimit: 100 * MB }), undefined, 'degraded', [/account's file store is 95 % full \(95\.0 MB of 100\.0 MB\)/]],
    // audit AU F3: the account's limit refuses the intake while the lease's renewal still fits
    ['the account store without room for a ticket', facts({ storage: 120 * 1024, storageLimit: 128 * 1024 }), undefined, 'degraded', [/94 % full \(120 KB of 128 KB\): less room than the largest ticket \(64 KB\), the intake systems' publishes fail or soon will/]],
    ['the account store at 80 %', facts({ storage: 80 * MB, storageLimit: 100 * MB }), undefined, 'ok', []],
    ['the stream at 91 % of its max_bytes', facts({ bytes: 91 * MB, maxBytes: 100 * MB }), undefined, 'degraded', [/stream COMPLAINTS holds 91 % of its max_bytes/]],
  ] as const)('%s', (_what, f, failure, status, reasons) => {
    const j = judgeBrokerStore(f, failure, NOW);
    expect(j.status).toBe(status);
    expect(j.reasons).toHaveLength(reasons.length);
    reasons.forEach((r, i) => expect(j.reasons[i]).toMatch(r));
    expect(j.refusal !== null).toBe(status === 'degraded' && reasons.some((r) => String(r).includes('refuses')));
  });

  it('knows nothing of a broker it cannot ask, and says nothing wrong then', () => {
    expect(judgeBrokerStore({ stream: null, account: null }, undefined, NOW)).toEqual({ status: 'ok', reasons: [], refusal: null });
  });

  // audit BE F2: two of three servers down, every intake publish refused, and health said ok
  it.each([
    ['stream info unanswered while connected', { stream: null, account: null, jetStreamUnanswered: 'TIMEOUT' }, undefined, /^JetStream unavailable: no leader or no quorum, or the broker hung \("TIMEOUT"\); the intake systems' publishes fail/],
    ['the lease renewal refused with "temporarily unavailable" (the probe cannot ask)', { stream: null, account: null }, { message: 'JetStream system temporarily unavailable', atMs: NOW - 5_000 }, /^JetStream unavailable: no leader or no quorum \("JetStream system temporarily unavailable"\)/],
  ] as const)('a JetStream without a leader is degraded: %s', (_what, f, failure, reason) => {
    const j = judgeBrokerStore(f, failure, NOW);
    expect(j.status).toBe('degraded');
    expect(j.reasons).toEqual([expect.stringMatching(reason)]);
  });

  it.each([
    ['its "temporarily unavailable" is older than NO_LEADER_MEMORY_MS', { stream: null, account: null }, { message: 'JetStream system temporarily unavailable', atMs: NOW - NO_LEADER_MEMORY_MS - 1 }],
    ['the stream answers again', facts(), { message: 'JetStream system temporarily unavailable', atMs: NOW - 1_000 }],
  ] as const)('and ok again once %s', (_what, f, failure) => {
    expect(judgeBrokerStore(f, failure, NOW).status).toBe('ok');
  });

  it('says nothing of a JetStream it did not ask: no connection to ask on, or the lease not current', async () => {
    const source = { get nc(): never { throw new Error('not counting (lease held)'); }, health: { nats: 'connected' }, lease: {} };
    const facts = await new BrokerStoreProbe(source).facts(NOW);
    expect(facts).toEqual({ stream: null, account: null });
    expect(judgeBrokerStore(facts, undefined, NOW).status).toBe('ok');
  });
});
