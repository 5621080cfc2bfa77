import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LeaseHolder } from './lease-rules.ts';
import { freePort, startLocalNats, type LocalNats } from './natsd.ts';

// Audit BE F1: nats-server 2.9.10 after a quorum loss answered "no message" for the lease subject
// while counting 7 messages on it, and accepted both monitors' compare-and-set expecting none:
// two monitors counted at once. That broker state could not be produced on demand (2 of 3 runs
// of the audit's script), so the lease stream's two answers are given here as values, and the
// rest (the lease's writes, the step-down request) goes to a real nats-server.

const given = vi.hoisted(() => ({ answer: undefined as { stored: null; onSubject: number | undefined } | undefined }));
vi.mock('./lease-stream.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./lease-stream.ts')>();
  return { ...actual, readLeaseChecked: (jsm: never, key: string) => (given.answer ? Promise.resolve(given.answer) : actual.readLeaseChecked(jsm, key)) };
});
const { CountingLease, LEASE_STREAM, readLease } = await import('./lease.ts');

const dir = mkdtempSync(join(tmpdir(), 'cewm-lease-inconsistent-'));
let nats: LocalNats;
let nc: NatsConnection;
let stepDowns = 0;
const warned: string[] = [];
const errors: string[] = [];
const log = { info() {}, warn: (_: object | string, msg?: string) => void warned.push(msg ?? ''), error: (_: object | string, msg?: string) => void errors.push(msg ?? '') };

let n = 0;
const holder = (host: string): LeaseHolder => ({ host, dataDir: `/data/${host}`, pid: 2000 + n, startedAt: '2025-03-01T08:00:00.000Z', instance: `run-${++n}` });
const SEVEN = { stored: null, onSubject: 7 } as const;

beforeAll(async () => {
  nats = await startLocalNats({ storeDir: join(dir, 'nats'), port: await freePort() });
  nc = await connect({ servers: nats.url });
  // a single server answers a step-down with an error; this subscription sees every request
  nc.subscribe(`$JS.API.STREAM.LEADER.STEPDOWN.${LEASE_STREAM}`, { callback: () => void stepDowns++ });
});
afterEach(() => {
  given.answer = undefined;
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const driven = async (key: string, now: () => number) => {
  const a = new CountingLease([key], holder('a'), log, { refusedGraceMs: 0, aliveHere: () => true, now });
  expect(await a.take(nc)).toBe(true);
  clearInterval((a as unknown as { timer: NodeJS.Timeout }).timer); // the renewals are driven by hand
  let stopped = 0;
  a.onStop(() => stopped++);
  return { a, stopped: () => stopped };
};

describe('counting lease - on a lease stream that contradicts itself', () => {
  it('a holder does not take it again: unconfirmed, its leader asked to step down once per lifetime, lost after a lifetime', async () => {
    let now = Date.now();
    const { a, stopped } = await driven('consumer.split', () => now);
    const jsm = await jetstreamManager(nc);
    const written = (await readLease(jsm, 'consumer.split'))!.seq;
    const asked = stepDowns;

    given.answer = SEVEN;
    const seqs = (await jsm.streams.info(LEASE_STREAM)).state.last_seq;
    await a.renew();
    expect((await jsm.streams.info(LEASE_STREAM)).state.last_seq).toBe(seqs); // nothing written: no compare-and-set expecting none
    expect(written).toBeGreaterThan(0);
    expect(warned).toContain('the lease stream is inconsistent: it answers no lease record, yet it counts 7 message(s) on the subject: the counting lease is not taken again; counting paused');
    expect(warned).not.toContain(expect.stringMatching(/taken again$/));
    expect(stepDowns).toBe(asked + 1);
    // a single server refuses the step-down: its holder purges the key's subject instead
    expect(warned).toContain("a single server's inconsistent lease subject purged, for the lease to be taken on a clean one");
    expect(await readLease(jsm, 'consumer.split')).toBeNull();
    // at once, not once its last confirmation is old: another monitor's take expecting none may have been accepted too
    expect([a.state, a.current, stopped()]).toEqual(['held', false, 0]);

    now += 13_000;
    await a.renew();
    expect([a.state, a.current, stopped()]).toEqual(['held', false, 0]);
    expect(a.unconfirmed).toMatch(/^counting lease unconfirmed: the lease stream is inconsistent: .* counts 7 message\(s\) on the subject; not taken again, the lease stream's leader asked to step down$/);
    expect(a.view()).toMatchObject({ status: 'held', confirmed: false, message: a.unconfirmed });
    expect(stepDowns).toBe(asked + 1); // once per lifetime

    now += 2_000; // a lifetime since it was first found
    await a.renew();
    expect([a.state, stopped()]).toEqual(['lost', 1]);
    expect(await a.ended).toMatchObject({ state: 'lost', graceMs: 0 });
    expect(errors.at(-1)).toMatch(/^the lease stream is inconsistent: .* for 15 s; only one counting monitor may run/);
  });

  // soak CE F2: a single server's stream alternated between "no record, counts 2" and a count of
  // 0; each take again reset the clock, and the holder stayed paused for 12 minutes, never lost
  it('a take again on a stream that was inconsistent confirms nothing: the lifetime counts from the first inconsistent read', async () => {
    let now = Date.now();
    const { a, stopped } = await driven('consumer.alternating', () => now);
    given.answer = SEVEN;
    await a.renew();
    now += 5_000;
    given.answer = { stored: null, onSubject: 0 }; // the count reads 0 for a moment: taken again
    await a.renew();
    expect(warned.at(-1)).toMatch(/taken again$/);
    expect([a.state, a.current]).toEqual(['held', false]);
    now += 5_000;
    given.answer = SEVEN;
    await a.renew();
    expect([a.state, stopped()]).toEqual(['held', 0]);
    now += 5_000;
    await a.renew();
    expect([a.state, stopped()]).toEqual(['lost', 1]);
  });

  it('a holder whose stream agrees with itself again is confirmed again', async () => {
    let now = Date.now();
    const { a } = await driven('consumer.repaired', () => now);
    given.answer = SEVEN;
    await a.renew();
    expect(a.current).toBe(false);
    given.answer = undefined; // the stream answers again (here: the subject purged, the key taken again)
    await a.renew();
    expect(a.current).toBe(false); // a take again confirms nothing by itself
    await a.renew(); // its own record read back
    expect([a.state, a.current, a.unconfirmed]).toEqual(['held', true, undefined]);
    await a.release();
  });

  it('a starting monitor does not take it: it waits, saying why, and asks for a step-down once per lifetime', async () => {
    let now = Date.now();
    const b = new CountingLease(['consumer.starting'], holder('b'), log, { refusedGraceMs: 0, aliveHere: () => true, now: () => now });
    const asked = stepDowns;
    given.answer = { stored: null, onSubject: undefined };
    await expect(b.take(nc)).rejects.toThrow(/^the counting lease could not be taken \(the lease stream is inconsistent: it answers no lease record, yet its message count for the subject cannot be had\); retrying$/);
    expect(b.state).toBe('waiting');
    expect(b.view().message).toMatch(/^the lease stream is inconsistent: .*; the counting lease is not taken, asked again every second$/);
    now += 1_000;
    await expect(b.take(nc)).rejects.toThrow(/inconsistent/);
    expect(stepDowns).toBe(asked + 1);
    now += 15_000;
    await expect(b.take(nc)).rejects.toThrow(/inconsistent/);
    expect(stepDowns).toBe(asked + 2);

    given.answer = undefined;
    expect(await b.take(nc)).toBe(true);
    expect(b.view()).not.toHaveProperty('message');
    await b.release();
  });
});
