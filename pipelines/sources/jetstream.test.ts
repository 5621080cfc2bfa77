import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../../tests/helpers/nats.ts';
import { ackReplySubject, ensureStream, jetStreamEnvelopes, parseAckReply, parseAckSubject, pullSize, STREAM, type Envelope } from './jetstream.ts';
import { parseAckSubjectLoosely } from './ack-subject.ts';
import { ensureConsumer, replaceConsumer, TICKET_SUBJECTS } from './jetstream-setup.ts';

// The envelope answers the broker itself (ack, nak with delay, term) against a real nats-server.

let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
});
afterAll(async () => {
  await nc.close();
  await nats.cleanup();
});

describe('jetstream source - envelopes', () => {
  it('carries data, subject, sequence, deliveries, time; ack, nak (delayed) and term reach the broker', async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm);
    const js = jetstream(nc);
    const before = Date.now();
    for (let i = 1; i <= 5; i++) await js.publish(`complaints.tickets.B${i}`, JSON.stringify({ i }));

    const seen: Envelope[] = [];
    const settings = { name: 'env-test', maxAckPending: 100, ackWaitMs: 60_000 };
    const sub = jetStreamEnvelopes(nc, settings).subscribe((env) => {
      seen.push(env);
      const { i } = JSON.parse(new TextDecoder().decode(env.data)) as { i: number };
      if (i === 2 && env.deliveries === 1) env.nak(300);
      else if (i === 3) env.term(''); // a reason (+TERM text) needs nats-server 2.10; 2.9 leaves it pending
      else env.ack();
      env.ack(); // a second answer is ignored
    });
    const deadline = Date.now() + 10_000;
    while (seen.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500)); // nothing else may come
    sub.unsubscribe();

    expect(seen.map((e) => [e.subject, e.streamSeq, e.deliveries])).toEqual([
      ['complaints.tickets.B1', 1, 1],
      ['complaints.tickets.B2', 2, 1],
      ['complaints.tickets.B3', 3, 1],
      ['complaints.tickets.B4', 4, 1],
      ['complaints.tickets.B5', 5, 1],
      ['complaints.tickets.B2', 2, 2],
    ]);
    for (const e of seen) {
      expect(e.publishedAtMs).toBeGreaterThanOrEqual(before - 1_000);
      expect(e.publishedAtMs).toBeLessThanOrEqual(Date.now());
      // the ack subject is read from the client's bytes and rebuilt to answer: no string held for it
      expect(Object.values(e).filter((v) => typeof v === 'string' && /^\$JS\.ACK\..*(\.\d+){5}$/.test(v))).toEqual([]);
    }
    await nc.flush();
    const info = await jsm.consumers.info(STREAM, 'env-test');
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(5);
  });

  it('replaces a consumer of explicit acks by an ack-all one after its floor; one turn of acks settles thousands', async () => {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const first = (await jsm.streams.info(STREAM)).state.last_seq + 1;
    // a monitor from before ack-all: explicit acks, everything before `first` acked
    await jsm.consumers.add(STREAM, { durable_name: 'bulk-test', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 5_000, ack_wait: 60_000_000_000 });
    const earlier = await (await js.consumers.get(STREAM, 'bulk-test')).fetch({ max_messages: first - 1, expires: 5_000 });
    for await (const m of earlier) m.ack();
    await nc.flush();
    expect((await jsm.consumers.info(STREAM, 'bulk-test')).ack_floor.stream_seq).toBe(first - 1);
    await Promise.all(Array.from({ length: 3_000 }, (_, i) => js.publish(`complaints.tickets.BULK${i % 7}`, `{"i":${i}}`)));
    const settings = { name: 'bulk-test', maxAckPending: 5_000, ackWaitMs: 60_000 };
    const held: Envelope[] = [];
    const sub = jetStreamEnvelopes(nc, settings).subscribe((env) => {
      held.push(env);
      if (held.length === 3_000) for (const e of held) e.ack(); // like a committed batch
    });
    const deadline = Date.now() + 15_000;
    // the source replaces the consumer (delete, then add): a look in between finds none
    const look = () => jsm.consumers.info(STREAM, 'bulk-test').catch(() => undefined);
    let info = await look();
    while ((held.length < 3_000 || !info || info.num_ack_pending > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      info = await look();
    }
    sub.unsubscribe();
    if (!info) throw new Error('consumer bulk-test not found');
    expect(held.length).toBe(3_000);
    expect(held[0]!.streamSeq).toBe(first);
    expect(info.config.ack_policy).toBe(AckPolicy.All);
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(first + 2_999);
  });
});

describe('jetstream source - pulls', () => {
  it('asks for 5,000 messages and again at half used, never more than max-ack-pending', () => {
    expect(pullSize(20_000)).toEqual({ maxMessages: 5_000, thresholdMessages: 2_500 });
    expect(pullSize(300)).toEqual({ maxMessages: 300, thresholdMessages: 150 });
    expect(pullSize(1)).toEqual({ maxMessages: 1, thresholdMessages: 0 });
  });

  it('reads 10,000 messages with a handful of pull requests (each one wakes the broker)', async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm);
    const js = jetstream(nc);
    const pulls = nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.pull-count`);
    let asked = 0;
    void (async () => {
      for await (const _ of pulls) asked++;
    })();
    await nc.flush();
    const settings = { name: 'pull-count', maxAckPending: 20_000, ackWaitMs: 60_000 };
    await replaceConsumer(jsm, settings, (await jsm.streams.info(STREAM)).state.last_seq + 1); // from here on
    let seen = 0;
    const sub = jetStreamEnvelopes(nc, settings).subscribe((env) => {
      seen++;
      env.ack();
    });
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => js.publish(`complaints.tickets.PULL${i % 5}`, `{"i":${i}}`)));
    const deadline = Date.now() + 15_000;
    while (seen < 10_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await nc.flush();
    sub.unsubscribe();
    pulls.unsubscribe();
    expect(seen).toBe(10_000);
    // one pull of 5,000 and one per 2,500 read after it; 1,000 at three quarters made 40
    expect(asked).toBeLessThanOrEqual(1 + 10_000 / 2_500);
  });
});

describe('jetstream source - the consumer filter', () => {
  const settings = (name: string) => ({ name, maxAckPending: 1_000, ackWaitMs: 60_000 });

  it('has none on the stream the monitor makes (tickets only), and replaces a filtered one after its floor', async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm);
    const js = jetstream(nc);
    expect((await ensureConsumer(jsm, settings('no-filter'))).config.filter_subject ?? '').toBe('');
    // a consumer of an earlier monitor, filtered, with 5 of its 8 messages acknowledged
    const floor = (await jsm.streams.info(STREAM)).state.last_seq;
    await jsm.consumers.add(STREAM, { durable_name: 'was-filtered', ack_policy: AckPolicy.All, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1, filter_subject: TICKET_SUBJECTS });
    for (let i = 0; i < 8; i++) await js.publish('complaints.tickets.F1', `{"i":${i}}`);
    const five = await (await js.consumers.get(STREAM, 'was-filtered')).fetch({ max_messages: 5, expires: 2_000 });
    let last: { ack(): void } | undefined;
    for await (const m of five) last = m;
    last!.ack();
    await nc.flush();
    const info = await ensureConsumer(jsm, settings('was-filtered'));
    expect(info.config.filter_subject ?? '').toBe('');
    expect(info.config.opt_start_seq).toBe(floor + 6);
    const rest = await (await js.consumers.get(STREAM, 'was-filtered')).fetch({ max_messages: 10, expires: 1_000 });
    const seen: number[] = [];
    for await (const m of rest) seen.push(m.json<{ i: number }>().i);
    expect(seen).toEqual([5, 6, 7]);
  });

  it('keeps the tickets filter on a stream that holds other subjects too', async () => {
    const other = await startTestNats();
    try {
      const conn = await other.connect();
      const jsm = await jetstreamManager(conn);
      await jsm.streams.add({ name: STREAM, subjects: [TICKET_SUBJECTS, 'complaints.other.>'] });
      await ensureStream(jsm); // an operator's stream keeps its subjects
      expect((await ensureConsumer(jsm, settings('filtered'))).config.filter_subject).toBe(TICKET_SUBJECTS);
      expect((await ensureConsumer(jsm, settings('filtered'))).config.filter_subject).toBe(TICKET_SUBJECTS); // kept, not replaced again
      await conn.close();
    } finally {
      await other.cleanup();
    }
  });
});

describe('jetstream source - ack subjects', () => {
  const nanos = '1764122712345678901';
  const ms = 1764122712345;
  it.each([
    [`$JS.ACK.COMPLAINTS.monitor.3.1234.5678.${nanos}.17`, { deliveries: 3, streamSeq: 1234, deliverySeq: 5678, publishedAtMs: ms }],
    [`$JS.ACK._.ACCHASH.COMPLAINTS.monitor.1.42.43.${nanos}.0`, { deliveries: 1, streamSeq: 42, deliverySeq: 43, publishedAtMs: ms }],
    [`$JS.ACK.hub.ACCHASH.COMPLAINTS.monitor.2.9007199254740.1.${nanos}.5.Xy12`, { deliveries: 2, streamSeq: 9007199254740, deliverySeq: 1, publishedAtMs: ms }],
  ])('reads %s', (subject, expected) => {
    expect(parseAckSubject(subject)).toEqual(expected);
  });

  it.each(['_INBOX.abc.def', '$JS.ACK.COMPLAINTS.monitor.x.1.1.1.0', '$JS.ACK.a.b.c', `$JS.ACK.S.C.1.2.3.123.0`, '$JS.ACK.S.C.0.2.3.1764122712345678901.0', '$JS.ACK.S.C.1.2.3.17641227123x5678901.0', '$JS.ACK.S.C.1..3.1764122712345678901.0', '$JS.ACK.S.C.1.2.3.1764122712345678901x.0'])(
    'leaves %s to the client',
    (subject) => expect(parseAckSubject(subject)).toBeUndefined(),
  );

  // what the strict reader leaves, read as nats.js's own parseInfo reads it (the pull loop has no
  // client message object to fall back on); what nats.js refuses is refused here too
  it.each([
    [`$JS.ACK.hub.ACCHASH.COMPLAINTS.monitor.2.42.7.${nanos}.5.Xy12.extra`, { deliveries: 2, streamSeq: 42, deliverySeq: 7, publishedAtMs: ms }],
    [`$JS.ACK.S.C.1.2.3.${nanos}x.0`, { deliveries: 1, streamSeq: 2, deliverySeq: 3, publishedAtMs: ms }],
    [`$JS.ACK.S.C.1.2.3.123.0`, { deliveries: 1, streamSeq: 2, deliverySeq: 3, publishedAtMs: 0 }],
  ])('reads %s loosely', (subject, expected) => {
    expect(parseAckSubject(subject)).toBeUndefined();
    expect(parseAckSubjectLoosely(subject)).toEqual(expected);
  });

  it.each(['_INBOX.abc.def', '$JS.ACK.a.b.c', '$JS.ACK.S.C.x.1.1.1.0', '$JS.ACK.S.C.0.2.3.1764122712345678901.0', '$JS.NAK.S.C.1.2.3.1764122712345678901.0'])(
    'refuses %s loosely too',
    (subject) => expect(parseAckSubjectLoosely(subject)).toBeUndefined(),
  );
});

describe('jetstream source - ack replies read from bytes', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it.each([
    '$JS.ACK.COMPLAINTS.monitor.3.1234.5678.1764122712345678901.17',
    '$JS.ACK.COMPLAINTS.monitor.1.1.1.1764122712345000001.0',
    '$JS.ACK._.ACCHASH.COMPLAINTS.monitor.1.42.43.1764122712000000000.0',
    '$JS.ACK.S.C.12.9007199254740.1.1234567.5',
  ])('reads %s and rebuilds it exactly', (subject) => {
    const read = parseAckReply(bytes(subject));
    expect(read).toBeDefined();
    expect(read).toMatchObject(parseAckSubject(subject)!);
    expect(ackReplySubject(subject.slice(0, read!.prefixLength), read!)).toBe(subject);
  });

  it.each([
    '$JS.ACK.hub.ACCHASH.COMPLAINTS.monitor.2.9007199254740.1.1764122712345678901.5.Xy12', // a trailing token: the string form answers
    '$JS.ACK.S.C.01.2.3.1764122712345678901.0', // a leading zero would not come back the same
    '$JS.ACK.S.C.1.2.3.1764122712345678901.00',
    '$JS.ACK.S.C.1.2.3.123456.0', // a timestamp without its milliseconds
    '$JS.ACK.S.C.0.2.3.1764122712345678901.0',
    '$JS.ACK.S.C.1..3.1764122712345678901.0',
    '$JS.ACK.S.C.1.2.3.17641227123x5678901.0',
    '_INBOX.abc.def.g.h.i.j.k.l',
  ])('leaves %s to the string form', (subject) => expect(parseAckReply(bytes(subject))).toBeUndefined());
});
