import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingLease, LEASE_STREAM, LEASE_SUBJECT_PREFIX, readLease } from './lease.ts';
import type { LeaseHolder } from './lease-rules.ts';
import { freePort, startLocalNats, stopChild, type LocalNats } from './natsd.ts';
import { freeze } from '../tests/helpers/freeze.ts';

// The lease against a real nats-server (2.9 here): compare-and-set takes, renewals, a lease
// taken away, a release, expiry by the stream's max_age.

const dir = mkdtempSync(join(tmpdir(), 'cewm-lease-'));
let nats: LocalNats;
let nc: NatsConnection;
const quiet = { info() {}, warn() {}, error() {} };
const logged: string[] = [];
const log = { info() {}, warn() {}, error: (_: object | string, msg?: string) => void logged.push(msg ?? '') };
const unanswered = { info() {}, warn() {}, error() {} };

let n = 0;
const holder = (host: string): LeaseHolder => ({ host, dataDir: `/data/${host}`, pid: 1000 + n, startedAt: '2025-03-01T08:00:00.000Z', instance: `run-${++n}` });
const lease = (keys: string[], host: string, opts = {}) => new CountingLease(keys, holder(host), host === 'b' ? log : quiet, { refusedGraceMs: 0, aliveHere: () => true, ...opts });

beforeAll(async () => {
  nats = await startLocalNats({ storeDir: join(dir, 'nats'), port: await freePort() });
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('counting lease - in NATS JetStream', () => {
  it('of two monitors taking at once, exactly one holds it; the other is refused, naming the holder', async () => {
    const [a, b] = [lease(['consumer.race'], 'a'), lease(['consumer.race'], 'b')];
    const taken = await Promise.all([a.take(nc), b.take(nc)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    const [winner, loser] = taken[0] ? [a, b] : [b, a];
    expect(winner.state).toBe('held');
    expect(loser.state).toBe('refused');
    expect(loser.view().heldBy).toMatchObject({ host: winner.me.host, dataDir: winner.me.dataDir });
    expect(await loser.ended).toMatchObject({ state: 'refused' });
    await winner.release();
  });

  it('needs every key: refused on the store, it gives back the consumer key it took first', async () => {
    const a = lease(['store.x_8123.complaints'], 'a');
    expect(await a.take(nc)).toBe(true);
    const b = lease(['consumer.other', 'store.x_8123.complaints'], 'b');
    expect(await b.take(nc)).toBe(false);
    expect(logged.at(-1)).toMatch(/another monitor holds the counting lease store\.x_8123\.complaints \(host a, DATA_DIR \/data\/a, pid \d+, started .*\): only one counting monitor may run per consumer \(CONSUMER_NAME\) and per ClickHouse store/);
    const jsm = await jetstreamManager(nc);
    expect((await readLease(jsm, 'consumer.other'))?.record?.released).toBe(true);
    expect(await lease(['consumer.other'], 'c').take(nc)).toBe(true);
    await a.release();
  });

  it('renews its own record, and is lost, at once, when a renewal finds another holder', async () => {
    const a = lease(['consumer.stolen'], 'a');
    let stopped = 0;
    a.onStop(() => stopped++);
    expect(await a.take(nc)).toBe(true);
    const jsm = await jetstreamManager(nc);
    const first = (await readLease(jsm, 'consumer.stolen'))!.seq;
    await a.renew();
    expect((await readLease(jsm, 'consumer.stolen'))!.seq).toBeGreaterThan(first);
    expect(a.state).toBe('held');

    // another monitor's record in its place (as if it had taken an expired lease)
    const thief = holder('t');
    await jetstream(nc).publish(`${LEASE_SUBJECT_PREFIX}consumer.stolen`, JSON.stringify({ holder: thief, renewedAt: '', ttlMs: 15_000 }));
    await a.renew();
    expect(a.state).toBe('lost');
    expect(stopped).toBe(1);
    expect(await a.ended).toMatchObject({ state: 'lost', graceMs: 0 });
    expect(a.view().heldBy).toMatchObject({ host: 't' });
  });

  // Audit R: a holder frozen past the lease's lifetime, resumed after another took over, sent
  // its buffered alert notices again before its first renewal told it the lease was gone.
  it('held up past its lifetime, a holder is not current (sends nothing) until a renewal confirms it, or loses it', async () => {
    let now = Date.now();
    const a = lease(['consumer.frozen'], 'a', { now: () => now });
    expect(await a.take(nc)).toBe(true);
    a.onStop(() => {});
    clearInterval((a as unknown as { timer: NodeJS.Timeout }).timer); // the renewals are driven by hand
    expect(a.current).toBe(true);
    now += 12_000; // two renewals missed: still within the lease, less half a renewal
    expect(a.current).toBe(true);
    now += 1_000;
    expect([a.state, a.current]).toEqual(['held', false]);
    await a.renew(); // nobody took it: confirmed again
    expect(a.current).toBe(true);
    now += 20_000;
    expect(a.current).toBe(false);
    await a.release();
    // frozen again, and this time another monitor took the lease meanwhile
    const b = lease(['consumer.frozen2'], 'a', { now: () => now });
    expect(await b.take(nc)).toBe(true);
    b.onStop(() => {});
    clearInterval((b as unknown as { timer: NodeJS.Timeout }).timer);
    now += 20_000;
    await (await jetstreamManager(nc)).streams.purge('COMPLAINTS_MONITOR_LEASES', { filter: `${LEASE_SUBJECT_PREFIX}consumer.frozen2` });
    expect(await lease(['consumer.frozen2'], 'd').take(nc)).toBe(true); // the other monitor takes over
    expect(b.current).toBe(false);
    await b.renew();
    expect([b.state, b.current]).toEqual(['lost', false]);
  });

  it('released at a clean stop, it is taken by a successor at once', async () => {
    const a = lease(['consumer.handover'], 'a');
    expect(await a.take(nc)).toBe(true);
    await a.release();
    const successor = lease(['consumer.handover'], 'c');
    expect(await successor.take(nc)).toBe(true);
    await successor.release();
  });

  it('expires by itself when its holder stops renewing, and is then free', async () => {
    // a lease stream of its own lifetime would need another stream name; the default stream's
    // max_age is the lease's: 15 s. Wait for it only once, here.
    const a = lease(['consumer.expiring'], 'a');
    expect(await a.take(nc)).toBe(true);
    a.onStop(() => {});
    // a SIGKILL: no release, no renewal
    clearInterval((a as unknown as { timer: NodeJS.Timeout }).timer);
    expect(await lease(['consumer.expiring'], 'd').take(nc)).toBe(false);
    const jsm = await jetstreamManager(nc);
    const t0 = Date.now();
    while ((await readLease(jsm, 'consumer.expiring')) !== null) await new Promise((r) => setTimeout(r, 250));
    // 15 s, and the broker's expiry scan runs on its own timer: generous for a loaded machine, yet
    // well short of never
    expect(Date.now() - t0).toBeLessThan(25_000);
    expect(await lease(['consumer.expiring'], 'e').take(nc)).toBe(true);
  }, 45_000);
  // Audit AB F1: a broker that hangs (SIGSTOP) keeps its connections open; renewals time out. A
  // lifetime of that once ended the lease (exit 75) though nobody can take a lease from a broker
  // that answers no one.
  it('unanswered renewals (a hung broker) keep the lease, unconfirmed, past its lifetime; the first answer confirms it', async () => {
    let now = Date.now();
    const a = new CountingLease(['consumer.hung'], holder('a'), unanswered, { refusedGraceMs: 0, aliveHere: () => true, now: () => now });
    expect(await a.take(nc)).toBe(true);
    let stopped = 0;
    a.onStop(() => stopped++);
    clearInterval((a as unknown as { timer: NodeJS.Timeout }).timer); // the renewals are driven by hand
    await freeze(nats.process.pid);
    try {
      await a.renew(); // times out
      now += 20_000; // longer than the lease's lifetime
      await a.renew(); // times out again
      expect([a.state, a.current, stopped]).toEqual(['held', false, 0]);
      expect(a.unconfirmed).toBe('counting lease unconfirmed: broker not answering');
      expect(a.view()).toMatchObject({ status: 'held', confirmed: false, message: 'counting lease unconfirmed: broker not answering' });
    } finally {
      nats.process.kill('SIGCONT');
    }
    await a.renew();
    expect([a.state, a.current, a.unconfirmed]).toEqual(['held', true, undefined]);
    expect(a.view()).toMatchObject({ status: 'held', confirmed: true });
    expect(a.view()).not.toHaveProperty('message');
    await a.release();
  }, 30_000);

  // Verify AD N1: a broker hung, then killed and started again. The renewal begun on the hung
  // connection waits out its timeout; the reconnection's renewal queued behind it and left the
  // lease unconfirmed for seconds, while the consumer resumed and the alerts' notices were dropped.
  it('after a reconnection a fresh renewal confirms the lease, not waiting for one stuck on the connection before', async () => {
    const own = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    let now = Date.now();
    const a = new CountingLease(['consumer.killed'], holder('a'), unanswered, { refusedGraceMs: 0, aliveHere: () => true, now: () => now });
    expect(await a.take(own)).toBe(true);
    a.onStop(() => {});
    clearInterval((a as unknown as { timer: NodeJS.Timeout }).timer); // the renewals are driven by hand
    await freeze(nats.process.pid);
    now += 20_000;
    let staleSettled = false;
    const stale = a.renew().finally(() => (staleSettled = true)); // no answer from a hung broker
    await stopChild(nats.process, 'SIGKILL');
    nats = await startLocalNats({ storeDir: join(dir, 'nats'), port: nats.port });
    while (!a.current) await new Promise((r) => setTimeout(r, 20));
    expect(staleSettled).toBe(false); // confirmed by the fresh round, while the stale one still waits
    await stale;
    expect([a.state, a.current, a.unconfirmed]).toEqual(['held', true, undefined]); // its timeout changed nothing
    await a.release();
    await own.close();
  }, 30_000);

  // last: it deletes the lease stream
  it('renewals the broker answers with a refusal for a whole lifetime still end the lease', async () => {
    let now = Date.now();
    const a = new CountingLease(['consumer.refused'], holder('a'), unanswered, { refusedGraceMs: 0, aliveHere: () => true, now: () => now });
    expect(await a.take(nc)).toBe(true);
    a.onStop(() => {});
    clearInterval((a as unknown as { timer: NodeJS.Timeout }).timer);
    await (await jetstreamManager(nc)).streams.delete(LEASE_STREAM); // every read now answered "stream not found"
    await a.renew();
    expect(a.unconfirmed).toBeUndefined(); // still within its lifetime
    now += 13_000;
    expect(a.unconfirmed).toMatch(/^counting lease unconfirmed: broker refusing the renewal \(stream not found/);
    now += 2_000;
    await a.renew();
    expect(await a.ended).toMatchObject({ state: 'lost', message: expect.stringMatching(/^the counting lease could not be renewed for 15 s/) });
  });
});
