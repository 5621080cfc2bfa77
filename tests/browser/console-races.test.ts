import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage } from '../helpers/browser.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents } from '../helpers/publish.ts';
import { consoleFixture, event, SUP } from './console-fixture.ts';
import { holdResponses } from './held-responses.ts';

// A copy of an alert reaching the page after a later change came live must not put the older
// alert back. CI on 2026-11-27 failed on it: an acknowledgement's HTTP answer, slowed by the audit
// row's write on a busy machine, arrived after the ticket's escalation had come over /ws and
// erased it from the history. Here the real answers are held in the browser until the later change
// is on screen, then let through.

const f = consoleFixture();
const ESCALATED = /工单提交三方调解/;

const historyText = (page: Page) => page.locator('.history').innerText();

async function caseExists(id: string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { status } = await getJson(f.monitor, `/api/alerts/${id}`, { headers: { authorization: `Bearer ${SUP}` } });
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${id} never opened`);
}

const escalation = (id: string, ticketId: string) =>
  event(id, ticketId, { kind: 'escalated', outcome: undefined, escalation: 'mediation', occurredAt: '2025-05-07T10:00:00+08:00' });

describe('console - late copies of an alert', () => {
  it("an action's answer arriving after a later live change does not undo that change", async () => {
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    await publishEvents(f.nc, [event('r-1', 'RACE-1', {})]);
    const item = page.locator('li[data-id="case.RACE-1"]');
    await item.waitFor({ timeout: 30_000 });
    await page.fill('#me', '李主管');
    await item.click();
    const ack = holdResponses(page, (u) => u.pathname === '/api/alerts/case.RACE-1/ack');
    await ack.install();
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/alerts/case.RACE-1/ack');
    await page.selectOption('form[data-action="ack"] select', 'contacting_customer');
    await page.click('form[data-action="ack"] button');
    await ack.fetched; // the answer holds the acknowledged alert, before the escalation
    await page.waitForFunction(() => document.querySelector('#d-status')?.textContent === '已确认', undefined, { timeout: 15_000 });
    await publishEvents(f.nc, [escalation('r-1e', 'RACE-1')]);
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.history')?.textContent ?? ''), ESCALATED.source, { timeout: 15_000 });
    ack.release();
    await answered;
    await page.waitForTimeout(300); // a frame or two for any redraw
    expect(await historyText(page)).toMatch(ESCALATED);
    expect(await historyText(page)).toContain('李主管');
    expect(errors).toEqual([]);
  });

  it("the page's first list arriving after the live snapshot and a change does not undo the change", async () => {
    await publishEvents(f.nc, [event('r-2', 'RACE-2', {})]);
    await caseExists('case.RACE-2');
    const { page, errors } = await openPage(f.browser, 'about:blank', { width: 1366, height: 800 });
    const list = holdResponses(page, (u) => u.pathname === '/api/alerts' && u.searchParams.get('status') === 'open' && !u.searchParams.has('format'));
    await list.install();
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/alerts');
    await page.goto(`${f.monitor.baseUrl}/console/?token=${SUP}`);
    await list.fetched;
    const item = page.locator('li[data-id="case.RACE-2"]');
    await item.waitFor({ timeout: 30_000 }); // from the /ws snapshot
    await item.click();
    await publishEvents(f.nc, [escalation('r-2e', 'RACE-2')]);
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.history')?.textContent ?? ''), ESCALATED.source, { timeout: 15_000 });
    list.release();
    await answered;
    await page.waitForTimeout(300);
    expect(await historyText(page)).toMatch(ESCALATED);
    expect(errors).toEqual([]);
  });
});
