import { describe, expect, it } from 'vitest';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack } from '../helpers/stack.ts';
import { until } from './support.ts';

// Audit AI 2: with the broker hung, POST /api/corrections timed out and answered "it was not sent";
// the broker stored it when it resumed and the ticket moved. A supervisor who believed the answer
// sent it again, under a new id: two corrections. Now an unanswered publish says the outcome is
// unknown and gives the id to send it again with, which counts once.

const SUP = 'correction-unanswered-supervisor-0123';
const live = liveStack({ MONITOR_TOKENS: `${SUP}:supervisor` });
const headers = { authorization: `Bearer ${SUP}`, 'content-type': 'application/json' };
const correct = (body: object) => fetch(`${live.monitor.baseUrl}/api/corrections`, { method: 'POST', headers, body: JSON.stringify(body) });
const corrections = async () => {
  const res = await fetch(`${live.monitor.baseUrl}/api/sql?format=csv`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: "SELECT count() FROM complaints.ticket_events FINAL WHERE ticket_id = 'UQ-1' AND kind = 'corrected'" });
  const lines = (await res.text()).trim().split('\n');
  return Number(lines[lines.length - 1]);
};
const unresolvedIn = async (scope: string) =>
  (await getJson(live.monitor, `/api/counters?year=2025&type=mortgage_prepayment&scope=${scope}&asOf=${encodeURIComponent('2025-12-31T23:59:59+08:00')}`, { headers })).body.rows[0].unresolvedCustomers;

/** An unclassified ticket waiting in the review queue, and the confirmation a reviewer sends for it. */
async function waitingForReview(ticketId: string) {
  const id = ticketId.toLowerCase();
  const opened = { eventId: `${id}-o`, ticketId, branch: 'SH', complaintType: 'unclassified', customerId: `C-${id}`, channel: 'branch', occurredAt: '2025-06-02T10:00:00+08:00', kind: 'opened' as const, text: '客户对处理结果不满意' };
  await publishEvents(live.nc, [opened]);
  await waitConsumed(live.nc);
  return { by: '李复核', ticketId, branch: 'SH', complaintType: 'mortgage_prepayment', reason: '分类复核 classification review', seen: { branch: 'SH' } };
}

describe('faults - a correction the broker does not answer', () => {
  it('is answered "outcome unknown" with its id; sent again with that id it counts once', async () => {
    const base = { ticketId: 'UQ-1', branch: 'SH', complaintType: 'mortgage_prepayment', customerId: 'C-uq-1', channel: 'branch', occurredAt: '2025-06-02T10:00:00+08:00' };
    await publishEvents(live.nc, [{ ...base, eventId: 'uq-1-o', kind: 'opened' }, { ...base, eventId: 'uq-1-fc', kind: 'first_contact', outcome: 'not_agreed' }]);
    await waitConsumed(live.nc);
    expect(await unresolvedIn('SH')).toBe(1);

    const request = { by: '王主管', ticketId: 'UQ-1', branch: 'GZ', complaintType: 'mortgage_prepayment', reason: '转错机构', occurredAt: '2025-06-03T10:00:00+08:00' };
    await live.nats.pause();
    let first: Response;
    try {
      first = await correct(request);
    } finally {
      live.nats.resume();
    }
    const answer = (await first.json()) as { error: string; message: string; eventId: string };
    expect(first.status).toBe(503);
    expect(answer.error).toBe('NATS_PUBLISH_UNCONFIRMED');
    expect(answer.message).toContain(`"eventId": "${answer.eventId}"`);
    expect(answer.eventId).toMatch(/^corr-/);

    const again = await correct({ ...request, eventId: answer.eventId });
    expect(again.status).toBe(202);
    await until('the ticket moved', async () => (await unresolvedIn('GZ')) === 1, 30_000);
    await waitConsumed(live.nc);
    expect(await unresolvedIn('SH')).toBe(0);
    expect(await corrections()).toBe(1);
  }, 90_000);

  // Verify AJ N2: the confirmation sent again with its id, as the 503 says, was refused as stale,
  // naming the reviewer's own first try. N4: an id sent with another correction was folded into
  // the first, unseen, answered 202.
  it('a review confirmation sent again with its id is taken; another correction with that id is refused', async () => {
    const confirm = await waitingForReview('UQ-R');
    await live.nats.pause();
    let first: Response;
    try {
      first = await correct(confirm);
    } finally {
      live.nats.resume();
    }
    const { eventId } = (await first.json()) as { eventId: string };
    expect(first.status).toBe(503);
    await waitConsumed(live.nc); // the first try taken as the broker resumes
    const again = await correct({ ...confirm, eventId });
    expect(again.status, await again.clone().text()).toBe(202);
    const other = await correct({ ...confirm, branch: 'GZ', seen: undefined, reason: undefined, eventId });
    expect(other.status).toBe(409);
    expect(((await other.json()) as { error: string }).error).toBe('EVENT_ID_REUSED');
  }, 90_000);

  // Verify AK K1: a confirmation whose try got no answer and was never taken (the hung broker was
  // killed) was refused as stale under a new id for 10 minutes, naming itself; a reloaded page has
  // lost the first id. K3: the same id with another outcome was folded in, unseen.
  it('a confirmation never taken can be sent again under a new id; the same id with another outcome is refused', async () => {
    const confirm = await waitingForReview('UQ-K');
    await live.nats.pause();
    const first = await correct(confirm);
    expect(first.status).toBe(503);
    const { eventId } = (await first.json()) as { eventId: string };
    await live.nats.kill(); // what it had not read yet dies with it
    await live.nats.start();
    await until('the monitor back on the broker', async () => (await getJson(live.monitor, '/api/health', { headers })).body.lease?.confirmed === true, 60_000);
    // another reviewer's confirmation is refused: the first may have been taken (verify AL L1)
    expect((await correct({ ...confirm, by: '王复核' })).status).toBe(409);
    const reloaded = await correct(confirm);
    expect(reloaded.status, await reloaded.clone().text()).toBe(202);
    const otherOutcome = await correct({ ...confirm, seen: undefined, reason: undefined, outcome: 'agreed', eventId: ((await reloaded.json()) as { eventId: string }).eventId });
    expect(otherOutcome.status).toBe(409);
    expect(eventId).toMatch(/^corr-/);
  }, 120_000);

  it('refuses an eventId that is not a correction\'s', async () => {
    const res = await correct({ by: 'x', ticketId: 'UQ-1', branch: 'SH', complaintType: 'mortgage_prepayment', eventId: 'uq-1-fc' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/eventId must be corr-/);
  });
});
