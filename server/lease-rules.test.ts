import { describe, expect, it } from 'vitest';
import {
  afterRenewalFailure,
  confirmedRecently,
  leaseRecord,
  unconfirmedReason,
  notCountingMessage,
  decideLock,
  decideRenew,
  decideTake,
  describeHolder,
  leaseKeys,
  parseHolderRecord,
  storeLeaseKey,
  type LeaseHolder,
  type LeaseRecord,
  type StoredLease,
} from './lease-rules.ts';

// The counting lease's decisions with plain values: who may count, who must stop.

const me: LeaseHolder = { host: 'mon-a', dataDir: '/data', pid: 1, startedAt: '2025-03-01T08:00:00.000Z', instance: 'run-2' };
const other: LeaseHolder = { host: 'mon-b', dataDir: '/data', pid: 1, startedAt: '2025-03-01T07:00:00.000Z', instance: 'run-b' };
const record = (holder: LeaseHolder, extra: Partial<LeaseRecord> = {}): LeaseRecord => ({ holder, renewedAt: '2025-03-01T08:00:05.000Z', ttlMs: 15_000, ...extra });
const stored = (seq: number, r: LeaseRecord | undefined): StoredLease => ({ seq, record: r });
const nobodyAlive = () => false;
const everyoneAlive = () => true;

describe('counting lease - taking it at start', () => {
  it('takes a lease nobody holds, expecting no message on the subject', () => {
    expect(decideTake(null, me, everyoneAlive, 0)).toEqual({ take: true, expectSeq: 0, why: 'free' });
  });

  it('takes an expired lease: the broker removed the record its holder stopped renewing', () => {
    // expiry is the lease stream's max_age, on the broker's clock: an expired record is no record
    expect(decideTake(null, me, everyoneAlive, 0)).toMatchObject({ take: true, why: 'free' });
  });

  it('takes a lease its holder released at a clean stop, over the release record', () => {
    expect(decideTake(stored(7, record(other, { released: true })), me, everyoneAlive, 0)).toEqual({ take: true, expectSeq: 7, why: 'released' });
  });

  it('refuses a lease another live holder has, naming it', () => {
    expect(decideTake(stored(7, record(other)), me, everyoneAlive, 0)).toEqual({ take: false, holder: other });
  });

  it('takes over at once the unexpired lease of its own earlier run: same host and DATA_DIR, process gone (SIGKILL)', () => {
    const earlier = { ...me, pid: 4711, instance: 'run-1' };
    expect(decideTake(stored(9, record(earlier)), me, nobodyAlive, 0)).toEqual({ take: true, expectSeq: 9, why: 'own' });
  });

  it('takes over its own earlier run with the same pid (pid 1 in a container docker restarted)', () => {
    const earlier = { ...me, instance: 'run-1' };
    expect(decideTake(stored(9, record(earlier)), me, everyoneAlive, 0)).toMatchObject({ take: true, why: 'own' });
  });

  it('refuses another live process on the same host and DATA_DIR', () => {
    const twin = { ...me, pid: 4711, instance: 'run-x' };
    expect(decideTake(stored(9, record(twin)), me, (pid) => pid === 4711, 0)).toEqual({ take: false, holder: twin });
  });

  it('refuses the same host with another DATA_DIR, and another host with the same DATA_DIR', () => {
    expect(decideTake(stored(3, record({ ...me, dataDir: '/data2', pid: 99, instance: 'x' })), me, nobodyAlive, 0)).toMatchObject({ take: false });
    expect(decideTake(stored(3, record({ ...me, host: 'mon-c', pid: 99, instance: 'x' })), me, nobodyAlive, 0)).toMatchObject({ take: false });
  });

  it('takes again what this very run wrote (a take whose acknowledgement was lost)', () => {
    expect(decideTake(stored(5, record(me)), me, everyoneAlive, 0)).toEqual({ take: true, expectSeq: 5, why: 'own' });
  });

  it('does not overwrite a record it cannot read: it waits for it to expire', () => {
    expect(decideTake(stored(5, undefined), me, nobodyAlive, 0)).toEqual({ take: false, holder: undefined });
  });
});

describe('counting lease - renewing it while counting', () => {
  it('renews the record it wrote last', () => {
    expect(decideRenew(stored(12, record(me)), me, 12, 0)).toEqual({ renew: true, expectSeq: 12 });
  });

  it('renews a later record of this same run whose acknowledgement it missed', () => {
    expect(decideRenew(stored(13, record(me)), me, 12, 0)).toEqual({ renew: true, expectSeq: 13 });
  });

  it('takes a lapsed lease again (the broker was away longer than the lease), if nobody took it meanwhile', () => {
    expect(decideRenew(null, me, 12, 0)).toEqual({ renew: true, expectSeq: 0 });
  });

  it('is lost when another monitor holds it now, naming that monitor', () => {
    expect(decideRenew(stored(14, record(other)), me, 12, 0)).toEqual({ renew: false, holder: other });
  });

  it('is lost when another took it and released it meanwhile', () => {
    expect(decideRenew(stored(15, record(other, { released: true })), me, 12, 0)).toEqual({ renew: false, holder: other });
  });
});

describe('counting lease - keys', () => {
  it('one per consumer; in server mode one per ClickHouse store too', () => {
    expect(leaseKeys({ consumerName: 'monitor' })).toEqual(['consumer.monitor']);
    expect(leaseKeys({ consumerName: 'monitor', clickhouseUrl: 'http://clickhouse:8123' })).toEqual(['consumer.monitor', 'store.clickhouse_8123.complaints']);
    // with the store's own identity, the address's spelling no longer matters
    const id = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    expect(leaseKeys({ consumerName: 'monitor', clickhouseUrl: 'http://localhost:8123', storeId: id })).toEqual(leaseKeys({ consumerName: 'monitor', clickhouseUrl: 'http://127.0.0.1:8123', storeId: id }));
    expect(leaseKeys({ consumerName: 'monitor', storeId: id })).toEqual(['consumer.monitor']); // embedded: the data directory is its own lock
  });

  it('names the store by host, port and database, never by its credentials', () => {
    const key = storeLeaseKey('https://monitor:s3cret@CH.bank.example/');
    expect(key).toBe('store.ch_bank_example_8443.complaints');
    expect(key).not.toMatch(/monitor|s3cret/);
    expect(storeLeaseKey('http://10.0.0.5')).toBe('store.10_0_0_5_8123.complaints');
    expect(storeLeaseKey('http://u:p@10.0.0.5:9000')).toBe(storeLeaseKey('http://10.0.0.5:9000'));
  });

  it('makes a subject token of any consumer name', () => {
    expect(leaseKeys({ consumerName: 'a.b *>' })).toEqual(['consumer.a_b___']);
  });
});

describe('counting lease - records and holders', () => {
  it('reads back a record it wrote, and nothing else', () => {
    const r = record(me);
    expect(parseHolderRecord(JSON.stringify(r))).toEqual(r);
    expect(parseHolderRecord('not json')).toBeUndefined();
    expect(parseHolderRecord('{"holder":{"host":1}}')).toBeUndefined();
  });

  it('describes a holder by host, DATA_DIR, pid and start', () => {
    expect(describeHolder(other)).toBe('host mon-b, DATA_DIR /data, pid 1, started 2025-03-01T07:00:00.000Z');
  });
});

describe('schema migration lock - held by someone when a migration starts', () => {
  it('waits for another live migrator', () => {
    expect(decideLock({ holder: other, ageSec: 30 }, me, everyoneAlive, 600)).toBe('wait');
    expect(decideLock({ holder: undefined, ageSec: 30 }, me, everyoneAlive, 600)).toBe('wait');
  });

  it('takes over a lock left by its own earlier run, at once', () => {
    expect(decideLock({ holder: { ...me, pid: 4711, instance: 'run-1' }, ageSec: 5 }, me, nobodyAlive, 600)).toBe('take-over');
  });

  it('takes over a stale lock (its holder died elsewhere)', () => {
    expect(decideLock({ holder: other, ageSec: 601 }, me, everyoneAlive, 600)).toBe('take-over');
  });
});

describe('counting lease - why it is unconfirmed (health\'s reason)', () => {
  it('names the broker away first, then a refusal, then no answer; else a renewal under way', () => {
    expect(unconfirmedReason(false, 'stream not found', true)).toBe('counting lease unconfirmed: broker away');
    expect(unconfirmedReason(true, 'stream not found', true)).toBe('counting lease unconfirmed: broker refusing the renewal (stream not found)');
    expect(unconfirmedReason(true, false, true)).toBe('counting lease unconfirmed: broker not answering');
    expect(unconfirmedReason(true, undefined, false)).toBe('counting lease unconfirmed: renewal under way');
  });

  // a full broker store refuses the lease's renewal too: that is this monitor's pause, not another monitor's turn
  it('tells a person whose action a paused lease refused to try again, not to look for another monitor', () => {
    expect(notCountingMessage('held', 'counting lease unconfirmed: broker refusing the renewal (insufficient resources)')).toMatch(/^监测程序暂时无法确认计数租约，操作未执行，请稍后重试 · counting lease unconfirmed: broker refusing the renewal \(insufficient resources\): nothing was done, try again in a moment$/);
    expect(notCountingMessage('refused', undefined)).toBe('this monitor does not hold the counting lease (refused); act on the monitor that counts');
  });
});

describe('counting lease - confirmed recently enough to send', () => {
  const timing = { ttlMs: 15_000, renewMs: 5_000 };
  it('is current until the lease\'s lifetime less half a renewal has passed since the last confirmation', () => {
    expect(confirmedRecently(100_000, 100_000, timing)).toBe(true);
    expect(confirmedRecently(112_499, 100_000, timing)).toBe(true);
    expect(confirmedRecently(112_500, 100_000, timing)).toBe(false);
    expect(confirmedRecently(100_000, -Infinity, timing)).toBe(false); // never confirmed
  });
});

describe('counting lease - after a failed renewal', () => {
  const nowMs = 1_000_000;
  const ttlMs = 15_000;
  const refusedWarning = 'counting lease renewal refused by the broker; will retry';
  const unansweredWarning = 'counting lease renewal not answered; asked again (no sign of another holder)';
  const cases = [
    {
      name: 'a first refusal starts a run of refusals',
      trouble: {},
      failure: { connected: true, answered: true },
      out: { trouble: { refusedSinceMs: nowMs, unansweredSinceMs: undefined }, warning: refusedWarning },
    },
    {
      name: 'refusals shorter than a lifetime keep the lease',
      trouble: { refusedSinceMs: nowMs - 14_999 },
      failure: { connected: true, answered: true },
      out: { trouble: { refusedSinceMs: nowMs - 14_999, unansweredSinceMs: undefined }, warning: refusedWarning },
    },
    {
      name: 'refusals for a whole lifetime lose the lease, saying how long',
      trouble: { refusedSinceMs: nowMs - 15_000 },
      failure: { connected: true, answered: true },
      out: {
        trouble: { refusedSinceMs: nowMs - 15_000, unansweredSinceMs: undefined },
        warning: refusedWarning,
        lostAfterMs: 15_000,
      },
    },
    {
      name: 'no answer starts a silence and keeps the lease',
      trouble: {},
      failure: { connected: true, answered: false },
      out: { trouble: { refusedSinceMs: undefined, unansweredSinceMs: nowMs }, warning: unansweredWarning },
    },
    {
      name: 'a long silence keeps its start and the lease',
      trouble: { unansweredSinceMs: nowMs - 60_000 },
      failure: { connected: true, answered: false },
      out: { trouble: { refusedSinceMs: undefined, unansweredSinceMs: nowMs - 60_000 }, warning: unansweredWarning },
    },
    {
      name: 'no answer does not end a run of refusals, which still loses the lease after a lifetime',
      trouble: { refusedSinceMs: nowMs - 20_000 },
      failure: { connected: true, answered: false },
      out: {
        trouble: { refusedSinceMs: nowMs - 20_000, unansweredSinceMs: nowMs },
        warning: unansweredWarning,
        lostAfterMs: 20_000,
      },
    },
    {
      name: 'the connection down ends a run of refusals (an answer then is not counted as one)',
      trouble: { refusedSinceMs: nowMs - 20_000, unansweredSinceMs: nowMs - 5_000 },
      failure: { connected: false, answered: true },
      out: { trouble: { refusedSinceMs: undefined, unansweredSinceMs: nowMs - 5_000 }, warning: unansweredWarning },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(afterRenewalFailure(c.trouble, { ...c.failure, nowMs, ttlMs })).toEqual(c.out);
    });
  }
});

describe('counting lease - records it writes', () => {
  it('a renewal names its holder, time and lifetime; only a release says released', () => {
    const at = Date.parse('2025-03-01T08:00:05.000Z');
    expect(leaseRecord(me, at, 15_000, false)).toEqual(record(me));
    expect(JSON.stringify(leaseRecord(me, at, 15_000, false))).not.toContain('released');
    expect(leaseRecord(me, at, 15_000, true)).toEqual(record(me, { released: true }));
  });
});
