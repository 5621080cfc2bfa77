import { describe, expect, it } from 'vitest';
import type { LeaseHolder } from './lease-rules.ts';
import { decideRenewalPresence, decideStartPresence, doubtAtStart, presenceEndMessage, presenceRow, type PresenceContext, type PresenceRow } from './presence-rules.ts';

const holder = (instance: string, over: Partial<LeaseHolder> = {}): LeaseHolder => ({
  host: 'host-a',
  dataDir: '/data',
  pid: 100,
  startedAt: '2026-01-01T00:00:00.000Z',
  instance,
  ...over,
});
const me = holder('m-me', { host: 'host-b', pid: 200 });
const alive = new Set([100, 300]);
const context: PresenceContext = { me, deployment: 'nats-2', aliveHere: (pid) => alive.has(pid), ttlMs: 15_000 };
const row = (h: LeaseHolder, over: Partial<PresenceRow> = {}): PresenceRow => ({ holder: h, deployment: 'nats-1', released: false, ageMs: 2_000, firstMs: 1_000, ...over });
const other = holder('m-other');
const mine = row(me, { deployment: 'nats-2', firstMs: 5_000 });

describe('decideStartPresence: whether a monitor whose NATS lease is held may start counting', () => {
  it.each<[string, PresenceRow[], LeaseHolder | undefined]>([
    ['nobody present', [], undefined],
    ['another holder through another NATS, written 2 s ago', [row(other)], other],
    ['written just inside the lifetime', [row(other, { ageMs: 14_999 })], other],
    ['written a lifetime ago (SIGKILL, a lost host)', [row(other, { ageMs: 15_000 })], undefined],
    ['released by a clean stop', [row(other, { released: true })], undefined],
    ['through the same NATS deployment (its lease decides)', [row(other, { deployment: 'nats-2' })], undefined],
    ['this very run', [row(me)], undefined],
    ['this monitor\'s earlier run (same host and DATA_DIR, process gone)', [row(holder('m-old', { host: 'host-b', pid: 999 }))], undefined],
    ['same host and DATA_DIR, process alive (server mode: another monitor)', [row(holder('m-live', { host: 'host-b', pid: 300 }))], holder('m-live', { host: 'host-b', pid: 300 })],
    ['same DATA_DIR path on another host', [row(holder('m-far', { pid: 999 }))], holder('m-far', { pid: 999 })],
  ])('%s', (_, rows, refusedBy) => {
    expect(decideStartPresence(rows, context)).toEqual(refusedBy);
  });

  // verify BF N2: right after a ClickHouse outage the holder's rows were old only because its
  // writes had failed, and a start through another NATS was let in beside it
  it.each<[string, PresenceRow[], boolean]>([
    ['a holder silent since just past the lifetime: ask again', [row(other, { ageMs: 16_000 })], true],
    ['silent for most of a minute: ask again', [row(other, { ageMs: 74_000 })], true],
    ['silent for longer: gone', [row(other, { ageMs: 76_000 })], false],
    ['fresh: refused at once, no doubt', [row(other)], false],
    ['released by a clean stop', [row(other, { ageMs: 16_000, released: true })], false],
    ['through the same NATS deployment', [row(other, { ageMs: 16_000, deployment: 'nats-2' })], false],
    ['this monitor\'s earlier run', [row(holder('m-old', { host: 'host-b', pid: 999 }), { ageMs: 16_000 })], false],
  ])('doubt at start: %s', (_, rows, doubt) => {
    expect(doubtAtStart(rows, context)).toBe(doubt);
  });

  it('names the freshest of several', () => {
    const older = holder('m-older');
    expect(decideStartPresence([row(older, { ageMs: 9_000 }), row(other, { ageMs: 1_000 })], context)).toEqual(other);
  });
});

describe('decideRenewalPresence: which of two monitors counting into one store yields', () => {
  it.each<[string, PresenceRow[], LeaseHolder | undefined]>([
    ['alone', [mine], undefined],
    ['another started earlier by the store\'s clock: this one yields', [mine, row(other, { firstMs: 4_999 })], other],
    ['another started later: it yields, this one counts on', [mine, row(other, { firstMs: 5_001 })], undefined],
    ['same millisecond, the other\'s instance id smaller: this one yields', [mine, row(holder('m-a'), { firstMs: 5_000 })], holder('m-a')],
    ['same millisecond, the other\'s instance id greater: it yields', [mine, row(holder('m-z'), { firstMs: 5_000 })], undefined],
    ['the earlier one gone a lifetime ago', [mine, row(other, { firstMs: 1, ageMs: 15_000 })], undefined],
    ['the earlier one released', [mine, row(other, { firstMs: 1, released: true })], undefined],
    ['the earlier one on the same NATS deployment', [mine, row(other, { firstMs: 1, deployment: 'nats-2' })], undefined],
    ['this monitor\'s earlier run', [mine, row(holder('m-old', { host: 'host-b', pid: 999 }), { firstMs: 1 })], undefined],
    ['no row of its own (its writes fail): the other cannot see it, this one yields', [row(other, { firstMs: 9_000 })], other],
  ])('%s', (_, rows, yieldTo) => {
    expect(decideRenewalPresence(rows, context)).toEqual(yieldTo);
  });

  it('of two deciding on the same rows exactly one yields', () => {
    const a = holder('m-1', { host: 'h1' });
    const b = holder('m-2', { host: 'h2' });
    for (const [firstA, firstB] of [[1, 2], [2, 1], [3, 3]]) {
      const rows = [row(a, { firstMs: firstA!, deployment: 'n1' }), row(b, { firstMs: firstB!, deployment: 'n2' })];
      const aYields = decideRenewalPresence(rows, { ...context, me: a, deployment: 'n1' }) !== undefined;
      const bYields = decideRenewalPresence(rows, { ...context, me: b, deployment: 'n2' }) !== undefined;
      expect([aYields, bYields].filter(Boolean)).toHaveLength(1);
    }
  });
});

describe('presenceRow and presenceEndMessage', () => {
  it('reads ClickHouse JSON (64-bit numbers quoted), refuses what is not a row', () => {
    const raw = { instance: 'i', host: 'h', data_dir: '/d', pid: 7, started_at: 's', nats_deployment: 'n', released: 1, age_ms: '12', first_ms: '1700000000000' };
    expect(presenceRow(raw)).toEqual({ holder: { host: 'h', dataDir: '/d', pid: 7, startedAt: 's', instance: 'i' }, deployment: 'n', released: true, ageMs: 12, firstMs: 1_700_000_000_000 });
    expect(presenceRow({ ...raw, instance: 3 })).toBeUndefined();
    expect(presenceRow({ ...raw, age_ms: 'x' })).toBeUndefined();
  });

  it('says who counts, through what, and what this monitor does', () => {
    const refused = presenceEndMessage('refused', 'store.x', other, 10_000, 75);
    expect(refused).toContain('another monitor counts into this ClickHouse (store.x) through another NATS deployment (host host-a, DATA_DIR /data, pid 100');
    expect(refused).toContain('exits in 10 s with code 75');
    expect(presenceEndMessage('lost', 'store.x', other, 0, 75)).toMatch(/started counting first: .*stops consuming and exits with code 75$/);
  });
});
