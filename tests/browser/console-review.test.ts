import { describe, expect, it } from 'vitest';
import { openPage, saveScreenshot, waitForExpression } from '../helpers/browser.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';
import { BJ_SUP, consoleFixture, event, SUP } from './console-fixture.ts';

// The console's classification review in real headless Chromium against the real monitor: the
// tickets the classifier was unsure of, typed by a person, counted through the pipeline.

const f = consoleFixture();

// A review page reads the queue once when it opens and again only a minute later, and a publish
// returns once the broker has the events, not once the monitor has stored them: open pages only
// after the queue lists the tickets, or a page may show the queue as it was before them.
async function waitQueued(ticketIds: readonly string[], notAgreedAtLeast = 0): Promise<void> {
  await until(`${ticketIds.join(', ')} to be queued for review`, async () => {
    const q = await getJson(f.monitor, '/api/classification/review', { headers: { authorization: `Bearer ${SUP}` } });
    const queued = new Set(q.body.items.map((i: { ticketId: string }) => i.ticketId));
    return ticketIds.every((id) => queued.has(id)) && q.body.notAgreed >= notAgreedAtLeast;
  });
}

describe('console - classification review', () => {
  it('reviews low-confidence classifications: one row per ticket, a confirmed type counts, the ticket leaves the queue', async () => {
    const unclassified = { complaintType: 'unclassified', text: '客户来电表示对处理结果不满意，要求尽快答复', customerId: 'rev-cust' };
    await publishEvents(f.nc, [
      event('r-1', 'REV-1', { ...unclassified, kind: 'opened', outcome: undefined, occurredAt: '2025-05-07T09:00:00+08:00' }),
      event('r-2', 'REV-1', { ...unclassified, text: undefined, occurredAt: '2025-05-07T10:00:00+08:00' }),
      event('r-3', 'REV-2', { ...unclassified, kind: 'opened', outcome: undefined, branch: 'BJ-HD', occurredAt: '2025-05-08T10:00:00+08:00' }), // newer, yet listed after REV-1
    ]);
    await waitQueued(['REV-1', 'REV-2'], 1); // REV-1's second event, its not-agreed first contact, stored too
    const desk = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    // the link counts the tickets that move a not-agreed count once typed, of all that wait
    await waitForExpression(desk.page, `/^1 \\/ [2-9]/.test(document.querySelector('#review-link b').textContent)`, { timeout: 30_000 });
    await desk.page.click('#review-link');
    const { page } = desk;
    await page.waitForURL(/\/console\/review\?token=/);
    const row = page.locator('tr[data-ticket="REV-1"]');
    await row.waitFor({ timeout: 20_000 });
    expect(await page.locator('tr[data-ticket="REV-1"]').count()).toBe(1); // two events, one ticket
    expect(await row.locator('td.text').innerText()).toBe('客户来电表示对处理结果不满意，要求尽快答复'); // the text of the event that has one
    expect(await row.locator('td').nth(2).innerText()).toBe('上海分行');
    // a ticket whose first contact was not agreed moves a count once typed: it comes first, marked
    expect(await row.locator('td.contact').innerText()).toBe('未达成一致 not agreed');
    const order = await page.locator('tr[data-ticket]').evaluateAll((trs) => trs.map((t) => (t as HTMLElement).dataset.ticket));
    expect(order.indexOf('REV-1')).toBeLessThan(order.indexOf('REV-2'));
    expect(await page.locator('tr[data-ticket="REV-2"] td.contact').innerText()).toBe('—');
    const before = await getJson(f.monitor, '/api/counters?year=2025&type=insurance_dispute&scope=SH', { headers: { authorization: `Bearer ${SUP}` } });
    await page.fill('#me', '王复核');
    await row.locator('select[name="type"]').selectOption('insurance_dispute');
    await row.locator('button[data-confirm]').click();
    await row.locator('.sent').waitFor({ timeout: 10_000 });
    expect(await row.locator('.sent').innerText()).toBe('已提交 ✓ 代理保险争议');
    // the correction flows through the pipeline: the ticket's not-agreed first contact now counts
    await until('the confirmed ticket to count', async () => {
      const after = await getJson(f.monitor, '/api/counters?year=2025&type=insurance_dispute&scope=SH', { headers: { authorization: `Bearer ${SUP}` } });
      return after.body.rows[0].unresolvedCustomers === before.body.rows[0].unresolvedCustomers + 1;
    });
    await until('the ticket to leave the queue', async () => {
      const q = await getJson(f.monitor, '/api/classification/review', { headers: { authorization: `Bearer ${SUP}` } });
      return !q.body.items.some((i: { ticketId: string }) => i.ticketId === 'REV-1');
    });
    await page.click('#refresh');
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    // not a watched type: the reviewer says so, and the ticket leaves the queue counting nowhere
    const other = page.locator('tr[data-ticket="REV-2"]');
    await other.locator('select[name="type"]').selectOption('other');
    await other.locator('button[data-confirm]').click();
    await other.locator('.sent').waitFor({ timeout: 10_000 });
    await saveScreenshot(page, 'console-review');
    expect(desk.errors).toEqual([]);
    // a supervisor of BJ confirms BJ's tickets only
    await publishEvents(f.nc, [event('r-4', 'REV-4', { ...unclassified, kind: 'opened', outcome: undefined })]);
    await waitQueued(['REV-4']);
    const bj = await openPage(f.browser, `${f.monitor.baseUrl}/console/review?token=${BJ_SUP}`, { width: 1366, height: 800 });
    const sh = bj.page.locator('tr[data-ticket="REV-4"]');
    await sh.waitFor({ timeout: 20_000 });
    expect(await sh.innerText()).toContain('只读 read-only');
    expect(await sh.locator('select').isDisabled()).toBe(true);
    // and on a phone: no horizontal scrolling
    const phone = await openPage(f.browser, `${f.monitor.baseUrl}/console/review?token=${SUP}`, { width: 390, height: 844 });
    await phone.page.locator('tr[data-ticket="REV-4"]').waitFor({ timeout: 20_000 });
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await saveScreenshot(phone.page, 'console-review-phone');
  });

  it('confirms many tickets at once: the ticked ones, one correction each, and they all leave the queue', async () => {
    const noise = { complaintType: 'unclassified', text: 'Attempts to collect debt not owed', kind: 'opened', outcome: undefined } as const;
    await publishEvents(f.nc, [event('b-1', 'BULK-1', noise), event('b-2', 'BULK-2', noise), event('b-3', 'BULK-3', noise)]);
    await waitQueued(['BULK-1', 'BULK-2', 'BULK-3']);
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/review?token=${SUP}`, { width: 1366, height: 800 });
    await page.locator('tr[data-ticket="BULK-3"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#bulk').isHidden()).toBe(true);
    await page.fill('#me', '王复核');
    await page.locator('tr[data-ticket="BULK-1"] input[name="pick"]').check();
    await page.locator('tr[data-ticket="BULK-2"] input[name="pick"]').check();
    expect(await page.locator('#picked').innerText()).toBe('2');
    // no type chosen yet: nothing is sent
    await page.click('#bulk-confirm');
    expect(await page.locator('#error').innerText()).toContain('选择批量确认的类型');
    await page.selectOption('#bulk-type', 'other');
    await page.click('#bulk-confirm');
    await waitForExpression(page, `document.querySelector('#bulk-progress').textContent === '已提交 2 / 2'`, { timeout: 10_000 });
    await until('both ticked tickets to leave the queue, the third to stay', async () => {
      const q = await getJson(f.monitor, '/api/classification/review', { headers: { authorization: `Bearer ${SUP}` } });
      const ids = q.body.items.map((i: { ticketId: string }) => i.ticketId);
      return !ids.includes('BULK-1') && !ids.includes('BULK-2') && ids.includes('BULK-3');
    });
    expect(await page.locator('#bulk').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });
});
