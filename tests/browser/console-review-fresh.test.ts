import { describe, expect, it } from 'vitest';
import type { Page, Response } from 'playwright-core';
import { openPage } from '../helpers/browser.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';
import { consoleFixture, event, SUP } from './console-fixture.ts';
import { holdResponses } from './held-responses.ts';

// The classification queue as the console pages show it (audit AA, P3 and T1): an older read of
// the queue answering after a newer one must not put a confirmed ticket back, and a page that
// read the queue just before the pipeline stored a ticket shows it without waiting a minute. The
// page's clock is paused, so "soon" and "a minute" are moved by the test, not waited for.

const f = consoleFixture({ WALLBOARD_HEARTBEAT_MS: '500' });
const auth = { headers: { authorization: `Bearer ${SUP}` } };
const unclassified = { complaintType: 'unclassified', text: '客户对处理结果不满意', kind: 'opened', outcome: undefined } as const;

const queued = async () =>
  ((await getJson(f.monitor, '/api/classification/review?limit=500', auth)).body.items as { ticketId: string }[]).map((i) => i.ticketId);
const isQueueRead = (limit: string) => (u: URL) => u.pathname === '/api/classification/review' && u.searchParams.get('limit') === limit;
const answered = (page: Page, limit: string) => page.waitForResponse((r: Response) => isQueueRead(limit)(new URL(r.url())));

/** A page whose timers run only when the test moves its clock. */
async function pausedPage() {
  const opened = await openPage(f.browser, 'about:blank', { width: 1366, height: 800 });
  await opened.page.clock.install();
  await opened.page.clock.pauseAt(Date.now() + 1_000);
  return opened;
}

describe('console - the classification queue kept current', () => {
  it('an older read of the queue answering after a newer one does not bring a confirmed ticket back', async () => {
    await publishEvents(f.nc, [event('q-1', 'FRESH-1', unclassified), event('q-2', 'FRESH-2', unclassified)]);
    await until('both tickets queued', async () => ((await queued()).includes('FRESH-2') && (await queued()).includes('FRESH-1')) || undefined);
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/review?token=${SUP}`, { width: 1366, height: 800 });
    const row = page.locator('tr[data-ticket="FRESH-1"]');
    await row.waitFor({ timeout: 20_000 });
    // a read asked now (the minute's refresh, say) answers late: both tickets in it
    const older = holdResponses(page, isQueueRead('500'), { first: 1 });
    await older.install();
    const olderAnswered = answered(page, '500');
    await page.click('#refresh');
    await older.fetched;
    // meanwhile the ticket is typed and leaves the queue, and a newer read shows that
    const sent = await getJson(f.monitor, '/api/corrections', {
      method: 'POST', headers: { ...auth.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ by: '王复核', ticketId: 'FRESH-1', branch: 'SH', complaintType: 'insurance_dispute', reason: '分类复核' }),
    });
    expect(sent.status).toBeLessThan(300);
    await until('the typed ticket to leave the queue', async () => !(await queued()).includes('FRESH-1') || undefined);
    await page.click('#refresh');
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    older.release();
    await (await olderAnswered).finished();
    await page.waitForTimeout(300); // a task or two for the page to take the late answer
    expect(await row.count()).toBe(0);
    expect(await page.locator('tr[data-ticket="FRESH-2"]').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('the review page read just before the pipeline stored a ticket shows it at its next, early read', async () => {
    const { page, errors } = await pausedPage();
    const first = answered(page, '500');
    await page.goto(`${f.monitor.baseUrl}/console/review?token=${SUP}`);
    await first;
    await publishEvents(f.nc, [event('q-3', 'FRESH-3', unclassified)]);
    await until('the ticket queued', async () => (await queued()).includes('FRESH-3') || undefined);
    await page.clock.runFor(6_000); // not the minute the page used to wait
    await page.locator('tr[data-ticket="FRESH-3"]').waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
  });

  it("the console's review count reads the queue again when /ws says the pipeline stored a batch", async () => {
    const { page, errors } = await pausedPage();
    let lastBatchAt: string | null | undefined;
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
      const msg = JSON.parse(String(payload));
      if (msg.type === 'heartbeat' || msg.type === 'snapshot') lastBatchAt = msg.pipeline?.lastBatchAt ?? null;
    }));
    const first = answered(page, '1');
    await page.goto(`${f.monitor.baseUrl}/console/?token=${SUP}`);
    await first;
    // the early second read finds the same queue: the next would be a minute later
    const second = answered(page, '1');
    await page.clock.runFor(6_000);
    await second;
    const shown = await page.locator('#review-link b').innerText();
    await until('a heartbeat', () => lastBatchAt !== undefined || undefined);
    const before = lastBatchAt;
    await publishEvents(f.nc, [event('q-4', 'FRESH-4', { ...unclassified, outcome: 'not_agreed', kind: 'first_contact' })]);
    await until('the ticket queued', async () => (await queued()).includes('FRESH-4') || undefined);
    await until('a heartbeat after the batch', () => lastBatchAt !== before || undefined);
    await page.clock.runFor(6_000); // the pipeline moved: the count is read again well before the minute
    await page.waitForFunction((old) => document.querySelector('#review-link b')?.textContent !== old, shown, { timeout: 15_000 });
    expect(errors).toEqual([]);
  });
});
