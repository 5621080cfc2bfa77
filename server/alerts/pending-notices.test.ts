import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../monitor.ts';
import { NoticeRefusals } from '../notice-refusals.ts';
import { PendingNotices } from './pending-notices.ts';

const message = (id: string) => ({ subject: `complaints.alerts.t.${id}`, data: id, id });

describe('pending notices - a gateway notice waits for its audit rows', () => {
  it('sends what waited when its rows were taken, not what came after', async () => {
    const sent: string[] = [];
    const notices = new PendingNotices(() => ({ publish: (_s: string, data?: unknown) => void sent.push(String(data)), flush: () => Promise.resolve() }), () => ({ warn() {} }) as unknown as Logger);
    notices.add(message('a'));
    notices.add(message('b'));
    const sendFirst = notices.take().release; // the rows of a and b go to ClickHouse
    notices.add(message('c')); // a change made while that write runs
    expect(sent).toEqual([]);
    sendFirst();
    expect(sent).toEqual(['a', 'b']);
    expect(notices.size).toBe(1);
    notices.take().release();
    await vi.waitFor(() => expect(sent).toEqual(['a', 'b', 'c']));
  });

  // verify AD N1: a broker restarted after a hang; the consumer resumed a moment before the
  // lease's renewal answered, and the notices written meanwhile were dropped with a warning.
  it('keeps, in order, what it may not send without a confirmed lease, and sends it once the lease is confirmed', async () => {
    const sent: string[] = [];
    const logged: string[] = [];
    let leased = false;
    const nc = { publish: (_s: string, data?: unknown) => void sent.push(String(data)), flush: () => Promise.resolve() };
    const log = { warn: (_o: unknown, m: string) => void logged.push(m), info: (_o: unknown, m: string) => void logged.push(m) } as unknown as Logger;
    const notices = new PendingNotices(() => (leased ? nc : undefined), () => log, { retryMs: 5 });
    notices.add(message('a'));
    notices.add(message('b'));
    notices.take().release();
    notices.add(message('c'));
    notices.take().release();
    expect(sent).toEqual([]);
    expect(notices.size).toBe(3);
    expect(logged).toEqual(['alert changes kept, not sent on NATS yet: counting lease unconfirmed; sent once it is']);
    leased = true; // a renewal answered; no new change comes to take() meanwhile
    await vi.waitFor(() => expect(sent).toEqual(['a', 'b', 'c']));
    expect(notices.size).toBe(0);
    notices.add(message('d'));
    notices.take().release();
    await vi.waitFor(() => expect(sent).toEqual(['a', 'b', 'c', 'd']));
    expect(logged).toEqual([logged[0], 'kept alert changes sent on NATS']);
  });

  // Verify AD N1 too: notices written to a hung broker's socket died with it when it was killed.
  it('a batch whose flush the lost connection cuts is sent again, ahead of later ones', async () => {
    const sent: string[] = [];
    const flushes: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
    const nc = { publish: (_s: string, data?: unknown) => void sent.push(String(data)), flush: () => new Promise<void>((resolve, reject) => void flushes.push({ resolve, reject })) };
    const notices = new PendingNotices(() => nc, () => ({ warn() {}, info() {} }) as unknown as Logger, { retryMs: 5 });
    notices.add(message('a'));
    notices.take().release(); // published into a hung broker's socket
    notices.add(message('b'));
    notices.take().release(); // waits for a's flush
    expect(sent).toEqual(['a']);
    flushes[0]!.reject(new Error('connection disconnected')); // the broker killed
    await vi.waitFor(() => expect(sent).toEqual(['a', 'a', 'b']));
    flushes[1]!.resolve();
    await vi.waitFor(() => expect(notices.size).toBe(0));
    expect(sent).toEqual(['a', 'a', 'b']);
  });

  it('never sends what it kept while the lease stays unconfirmed (another monitor took it)', async () => {
    const sent: string[] = [];
    let asked = 0;
    const notices = new PendingNotices(() => void asked++, () => ({ warn() {}, info() {} }) as unknown as Logger, { retryMs: 1 });
    notices.add(message('a'));
    notices.take().release();
    await vi.waitFor(() => expect(asked).toBeGreaterThan(3));
    expect(sent).toEqual([]);
    expect(notices.size).toBe(1);
  });

  // The outbox marks a notice sent only on the broker's word: a batch whose flush the lost
  // connection cut is not reported until its second sending is flushed.
  it('reports a batch as sent only once its flush answers', async () => {
    const flushes: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
    const reported: string[][] = [];
    const nc = { publish() {}, flush: () => new Promise<void>((resolve, reject) => void flushes.push({ resolve, reject })) };
    const notices = new PendingNotices(() => nc, () => ({ warn() {}, info() {} }) as unknown as Logger, { retryMs: 5, onSent: (m) => void reported.push(m.map((x) => x.id)) });
    notices.add(message('a'));
    notices.take().release();
    flushes[0]!.reject(new Error('connection disconnected'));
    await vi.waitFor(() => expect(flushes).toHaveLength(2));
    expect(reported).toEqual([]);
    flushes[1]!.resolve();
    await vi.waitFor(() => expect(reported).toEqual([['a']]));
  });

  it('sends what an earlier run never sent ahead of what waits for the lease now', async () => {
    const sent: string[] = [];
    let leased = false;
    const nc = { publish: (_s: string, data?: unknown) => void sent.push(String(data)), flush: () => Promise.resolve() };
    const notices = new PendingNotices(() => (leased ? nc : undefined), () => ({ warn() {}, info() {} }) as unknown as Logger, { retryMs: 5 });
    notices.add(message('new'));
    notices.take().release();
    notices.resend([message('old-1'), message('old-2')]);
    leased = true;
    await vi.waitFor(() => expect(sent).toEqual(['old-1', 'old-2', 'new']));
  });

  // A NATS user without publish permission on the notice subjects: the broker refuses them with
  // an error on the connection, and the flush still answers. Marked sent, they were lost for good.
  // A refusal names a subject, not a message: one denied subject left every notice of the batch
  // unmarked, and each start sent them all again (verify AE 4); a permission given by a reload
  // left the refused ones unsent until the next start (verify AE 5).
  it('keeps what a refused subject sent, marks the rest, and tries the refused again until taken', async () => {
    const refusals = new NoticeRefusals();
    let denied = true;
    const reported: string[][] = [];
    const errors: string[] = [];
    const nc = { publish: (subject: string) => void (denied && subject.endsWith('.GZ') && refusals.refused(subject, 'no permission to publish')), flush: () => Promise.resolve() };
    const log = { warn() {}, info() {}, error: (_o: unknown, m: string) => void errors.push(m) } as unknown as Logger;
    const notices = new PendingNotices(() => nc, () => log, { retryMs: 5, onSent: (m) => void reported.push(m.map((x) => x.id)), refusals, refusedRetryMs: 20 });
    notices.add({ subject: 'complaints.alerts.t.GZ', data: 'a', id: 'a' });
    notices.add({ subject: 'complaints.alerts.t.SH', data: 'b', id: 'b' });
    notices.take().release();
    await vi.waitFor(() => expect(reported).toEqual([['b']]));
    expect(errors[0]).toMatch(/refused .*not marked sent; tried again every minute/);
    expect(refusals.reason()).toMatch(/no permission to publish on complaints\.alerts\.t\.GZ/);
    denied = false; // the operator reloads the broker with the permission
    await vi.waitFor(() => expect(reported).toEqual([['b'], ['a']]));
    expect(refusals.reason()).toBeUndefined();
    expect(refusals.total).toBeGreaterThan(0);
  });

  it('does not report a notice the client refused to publish (larger than the broker takes) as sent', async () => {
    const reported: string[][] = [];
    const nc = {
      publish: (_s: string, data?: unknown) => {
        if (String(data).length > 10) throw new Error('MAX_PAYLOAD_EXCEEDED');
      },
      flush: () => Promise.resolve(),
    };
    const notices = new PendingNotices(() => nc, () => ({ warn() {}, info() {}, error() {} }) as unknown as Logger, { retryMs: 5, onSent: (m) => void reported.push(m.map((x) => x.id)) });
    notices.add({ subject: 'complaints.alerts.t.x', data: 'x'.repeat(20), id: 'big' });
    notices.add(message('small'));
    notices.take().release();
    await vi.waitFor(() => expect(reported).toEqual([['small']]));
  });

  // Verify AG N3 and N5: after a permission given by a reload the case was resolved and its
  // 已解除 went out; the retry then sent the old 新预警 after it. And a newer notice of the same
  // subject cleared the refusal in health while the refused ones still waited.
  it('drops a refused notice once a newer one of its alert is taken, and keeps the subject refused while any waits', async () => {
    const refusals = new NoticeRefusals();
    let denied = new Set(['complaints.alerts.t.GZ']);
    const sent: string[] = [];
    const dropped: string[] = [];
    const nc = { publish: (subject: string, data?: unknown) => void (denied.has(subject) ? refusals.refused(subject, 'no permission to publish') : sent.push(String(JSON.parse(String(data)).n))), flush: () => Promise.resolve() };
    const log = { warn() {}, info() {}, error() {} } as unknown as Logger;
    const notices = new PendingNotices(() => nc, () => log, { retryMs: 5, refusals, refusedRetryMs: 60_000, onDropped: (m) => void dropped.push(...m.map((x) => x.id)) });
    const of = (id: string, alert: string, subject: string, n: string) => ({ id, subject, data: JSON.stringify({ id: alert, n }) });
    notices.add(of('a-new', 'case.A', 'complaints.alerts.t.GZ', 'A 新预警'));
    notices.add(of('b-new', 'case.B', 'complaints.alerts.t.GZ', 'B 新预警'));
    notices.take().release();
    await vi.waitFor(() => expect(refusals.reason()).toMatch(/t\.GZ/));
    denied = new Set(); // a reload gives the permission; case A is resolved before the minute's retry
    notices.add(of('a-end', 'case.A', 'complaints.alerts.t.GZ', 'A 已解除'));
    notices.take().release();
    await vi.waitFor(() => expect(sent).toEqual(['A 已解除']));
    expect(dropped).toEqual(['a-new']); // never sent after the newer news
    expect(refusals.reason()).toMatch(/t\.GZ/); // B's notice still waits for the retry
  });
});

