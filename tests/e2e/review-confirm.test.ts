import { beforeAll, describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import { until } from '../faults/support.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack } from '../helpers/stack.ts';

// A confirmation from a review list loaded before the ticket changed (audit J D3): supervisor A
// moves a waiting ticket to SH / auto_installment; reviewer B, from the list read earlier,
// confirms it as the list showed it (what web/console/review.js sends). It was answered 202 and
// undid A's move in the counters; it is refused with 409 naming A's correction, and A's move stands.

const VIEWER = 'review-viewer-0123456789';
const SUP = 'review-supervisor-0123456789';
const live = liveStack({ MONITOR_TOKENS: `${VIEWER}:viewer,${SUP}:supervisor` });

const REVIEW = '分类复核 classification review'; // the reason the review page sends
const waiting = (ticketId: string, i: number, over: Partial<TicketEvent> = {}): TicketEvent => ({
  eventId: `${ticketId}-${i}`,
  ticketId,
  kind: 'first_contact',
  outcome: 'not_agreed',
  occurredAt: '2025-06-02T10:00:00+08:00',
  branch: 'BJ',
  complaintType: 'unclassified',
  customerId: `cust-${ticketId}`,
  text: '服务态度不好',
  ...over,
});
const TICKETS = ['RC-1', 'RC-2', 'RC-3', 'RC-4', 'RC-5', 'RC-6', 'RC-7'];

const auth = { authorization: `Bearer ${SUP}` };
const post = (body: object) =>
  getJson(live.monitor, '/api/corrections', { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
const unresolved = async (type: string, scope: string): Promise<number> =>
  (await getJson(live.monitor, `/api/counters?year=2025&type=${type}&scope=${scope}`, { headers: auth })).body.rows[0].unresolvedCustomers;
const queue = async (): Promise<Array<{ ticketId: string; branch: string; assignedType: string }>> =>
  (await getJson(live.monitor, '/api/classification/review?limit=1000', { headers: auth })).body.items;
/** exactly what the review page sends to confirm an item of its list */
const confirmAsThePage = (item: { ticketId: string; branch: string }, complaintType: string, by = '复核员B') =>
  post({ by, ticketId: item.ticketId, branch: item.branch, complaintType, reason: REVIEW });
const itemOf = (list: Awaited<ReturnType<typeof queue>>, ticketId: string) => list.find((i) => i.ticketId === ticketId)!;

let list: Awaited<ReturnType<typeof queue>>;

beforeAll(async () => {
  await publishEvents(live.nc, TICKETS.map((t) => waiting(t, 1)));
  await waitConsumed(live.nc);
  list = await until('every ticket in the review queue', async () => {
    const items = await queue();
    return TICKETS.every((t) => items.some((i) => i.ticketId === t)) ? items : undefined;
  });
}, 120_000);

describe('e2e review confirm - a stale list does not undo a newer correction', () => {
  it('refuses (409) a confirmation of a ticket corrected since the list was read, and the counters keep the correction', async () => {
    const item = itemOf(list, 'RC-1');
    expect(item.branch).toBe('BJ');
    const [autoSH, mortBJ] = [await unresolved('auto_installment', 'SH'), await unresolved('mortgage_prepayment', 'BJ')];
    const a = await post({ by: '主管A', ticketId: 'RC-1', branch: 'SH', complaintType: 'auto_installment', reason: '移交上海分行' });
    expect(a.status).toBe(202);
    await until('A\'s move to count', async () => (await unresolved('auto_installment', 'SH')) === autoSH + 1);
    const b = await confirmAsThePage(item, 'mortgage_prepayment');
    expect(b.status).toBe(409);
    expect(b.body).toMatchObject({ error: 'REVIEW_STALE' });
    expect(b.body.message).toMatch(/^ticket RC-1 was corrected since the review list was loaded: it is now auto_installment at SH \(by 主管A, 2025|20\d\d-/);
    // the same with what the list showed said explicitly
    const explicit = await post({ by: '复核员B', ticketId: 'RC-1', branch: 'BJ', complaintType: 'mortgage_prepayment', seen: { branch: 'BJ', complaintType: item.assignedType } });
    expect([explicit.status, explicit.body.error]).toEqual([409, 'REVIEW_STALE']);
    await new Promise((r) => setTimeout(r, 1500)); // what a 202 would have moved by now
    await waitConsumed(live.nc);
    expect([await unresolved('auto_installment', 'SH'), await unresolved('mortgage_prepayment', 'BJ')]).toEqual([autoSH + 1, mortBJ]);
  });

  it('refuses it also before the pipeline has stored the correction, and lets one of two confirmations at once through', async () => {
    const a = await post({ by: '主管A', ticketId: 'RC-2', branch: 'SH', complaintType: 'auto_installment' });
    const b = await confirmAsThePage(itemOf(list, 'RC-2'), 'mortgage_prepayment');
    expect([a.status, b.status, b.body.error]).toEqual([202, 409, 'REVIEW_STALE']);
    const both = await Promise.all([confirmAsThePage(itemOf(list, 'RC-3'), 'other', '复核员B'), confirmAsThePage(itemOf(list, 'RC-3'), 'mortgage_prepayment', '复核员C')]);
    expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
  });

  it('refuses a ticket whose branch changed since the list, and takes the confirmation from a fresh list', async () => {
    await publishEvents(live.nc, [waiting('RC-4', 2, { kind: 'opened', outcome: undefined, branch: 'SH', occurredAt: '2025-06-03T10:00:00+08:00' })]);
    await waitConsumed(live.nc);
    const stale = await confirmAsThePage(itemOf(list, 'RC-4'), 'other');
    expect(stale.status).toBe(409);
    expect(stale.body.message).toBe('ticket RC-4 changed since the review list was loaded (branch BJ → SH); reload the list');
    const fresh = itemOf(await queue(), 'RC-4');
    expect(fresh.branch).toBe('SH');
    expect((await confirmAsThePage(fresh, 'other')).status).toBe(202);
  });

  it('applies the same rule to each ticket of a bulk confirmation: the changed one is refused, the others go', async () => {
    expect((await post({ by: '主管A', ticketId: 'RC-6', branch: 'GZ', complaintType: 'auto_installment' })).status).toBe(202);
    const statuses = [];
    for (const t of ['RC-5', 'RC-6', 'RC-7']) statuses.push((await confirmAsThePage(itemOf(list, t), 'other')).status);
    expect(statuses).toEqual([202, 409, 202]);
    await until('the confirmed tickets to leave the queue', async () => {
      const ids = (await queue()).map((i) => i.ticketId);
      return !ids.includes('RC-5') && !ids.includes('RC-7');
    });
  });

  it('refuses a confirmation of a ticket that never waited for review; a plain correction of it still goes', async () => {
    await publishEvents(live.nc, [waiting('RC-8', 1, { complaintType: 'mortgage_prepayment', text: undefined })]);
    await waitConsumed(live.nc);
    const r = await confirmAsThePage({ ticketId: 'RC-8', branch: 'BJ' }, 'other');
    expect([r.status, r.body.message]).toEqual([409, 'ticket RC-8 is not waiting for review; reload the list']);
    expect((await post({ by: '主管A', ticketId: 'RC-8', branch: 'BJ', complaintType: 'other' })).status).toBe(202);
  });
});
