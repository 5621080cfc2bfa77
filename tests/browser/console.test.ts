import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, saveScreenshot, waitForExpression } from '../helpers/browser.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents } from '../helpers/publish.ts';
import { startTcpRelay } from '../helpers/tcp-relay.ts';
import { BJ_SUP, consoleFixture, event, SUP } from './console-fixture.ts';

// The supervisor console in real headless Chromium against the real monitor: an alert appears
// live without reload, is acknowledged from the page, and its history shows who did it.

const f = consoleFixture({ WALLBOARD_HEARTBEAT_MS: '1000', SCREEN_SILENT_MS: '3000' });

/** waits for the page, and says what it showed and what the monitor logged when it times out */
async function waitShown(page: Page, what: string, cond: () => boolean) {
  try {
    await page.waitForFunction(cond, undefined, { timeout: 15_000 });
  } catch (err) {
    const shown = await page.evaluate(() => ({ error: document.querySelector('#d-error')?.textContent, history: document.querySelector('.history')?.textContent }));
    throw new Error(`${what}: ${(err as Error).message}\npage: ${JSON.stringify(shown)}\nmonitor: ${f.monitor.output().slice(-3000)}`);
  }
}

describe('console - supervisor page', () => {
  it('shows a new alert live, acknowledges it from the page, and its history names who did it', async () => {
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    await publishEvents(f.nc, [event('b-1', 'CON-1', {})]);
    const item = page.locator('li[data-id="case.CON-1"]');
    await item.waitFor({ timeout: 30_000 });
    await page.fill('#me', '李主管');
    await item.click();
    await page.selectOption('form[data-action="ack"] select', 'contacting_customer');
    await page.click('form[data-action="ack"] button');
    await page.waitForFunction(() => document.querySelector('#d-status')?.textContent === '已确认', undefined, { timeout: 15_000 });
    const history = await page.locator('.history').innerText();
    expect(history).toContain('确认');
    expect(history).toContain('李主管');
    expect(history).toContain('联系客户中'); // the reason's Chinese words, not its code
    expect(await item.innerText()).toContain('代理保险争议 · 上海分行'); // the plan's names, not codes
    expect(await item.locator('.urgency').innerText()).toMatch(/^(新案|无进展|超期)$/); // a case's level is its urgency
    // the ticket goes up its own ladder: the history says to which step
    await publishEvents(f.nc, [event('b-1e', 'CON-1', { kind: 'escalated', outcome: undefined, escalation: 'mediation', occurredAt: '2025-05-07T10:00:00+08:00' })]);
    await waitShown(page, 'the escalation in the history', () => /工单提交三方调解/.test(document.querySelector('.history')?.textContent ?? ''));
    await saveScreenshot(page, 'console-acknowledged');
    const { body } = await getJson(f.monitor, '/api/alerts/case.CON-1', { headers: { authorization: `Bearer ${SUP}` } });
    expect(body.ack).toMatchObject({ by: '李主管', reason: 'contacting_customer' });
    // the export holds what the list shows
    await page.selectOption('#f-type', 'insurance_dispute');
    const href = await page.locator('#export').getAttribute('href');
    expect(href).toMatch(/^\/api\/alerts\?status=open&format=csv&type=insurance_dispute&token=/);
    const csv = await page.evaluate(async (h) => (await fetch(h!)).text(), href);
    expect(csv).toContain('case.CON-1,逐笔盯盘,insurance_dispute,代理保险争议,SH,上海分行,');
    expect(errors).toEqual([]);
  });

  it('issues a correction from the page, which re-types the ticket and withdraws its case', async () => {
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    await publishEvents(f.nc, [event('b-2', 'CON-2', {})]);
    const item = page.locator('li[data-id="case.CON-2"]');
    await item.waitFor({ timeout: 30_000 });
    await page.fill('#me', '王主管');
    await item.click();
    const form = page.locator('form[data-action="correct"]');
    expect(await form.locator('input[name="ticketId"]').inputValue()).toBe('CON-2');
    await form.locator('select[name="complaintType"]').selectOption('mortgage_prepayment');
    await form.locator('input[name="reason"]').fill('误分类');
    await form.locator('button').click();
    await waitShown(page, 'the correction sent', () => /correction sent/.test(document.querySelector('#d-error')?.textContent ?? ''));
    // the correction flows through the pipeline: the strict-mode case is no longer a case
    const deadline = Date.now() + 30_000;
    let alert: any;
    do {
      alert = (await getJson(f.monitor, '/api/alerts/case.CON-2', { headers: { authorization: `Bearer ${SUP}` } })).body;
      if (alert.status === 'resolved') break;
      await new Promise((r) => setTimeout(r, 250));
    } while (Date.now() < deadline);
    expect(alert.status).toBe('resolved');
    expect(JSON.stringify(alert.history)).toContain('withdrawn');
    // the pane says the case ended and why, and keeps the correction's answer
    await waitShown(page, 'the ended pane', () => /撤销/.test(document.querySelector('#detail .ended')?.textContent ?? ''));
    expect(await page.locator('#d-error').innerText()).toContain('correction sent');
    expect(errors).toEqual([]);
  });

  // Audit G: a silent screen was pushed as an alert that GET /api/alerts, the next snapshot and
  // the ack route did not know. It is a screen status now, above the alerts, in every snapshot.
  it('lists a silent wall screen by its name above the alerts, also in a console opened later, until it is back', async () => {
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    // the wall on a line of its own that dies below: a page closed on purpose is not missed (audit V F9)
    const line = await startTcpRelay(f.monitor.port);
    const wallUrl = `http://127.0.0.1:${line.port}/?token=${SUP}&screen=left-wall`;
    const wall = await openPage(f.browser, wallUrl, { width: 1280, height: 720 });
    await waitForExpression(wall.page, 'window.__wallboard?.connected === true', { timeout: 20_000 });
    const id = await wall.page.evaluate(() => (window as unknown as { __wallboard: { screenId: string } }).__wallboard.screenId);
    await wall.page.waitForTimeout(1_500); // a heartbeat or two
    const display = wall.page.context(); // kept: its localStorage holds the screen's id for its return
    line.down = true;
    line.cut();
    await wall.page.close();
    const item = page.locator(`#screens li[data-screen-id="${id}"]`);
    await item.waitFor({ timeout: 30_000 });
    expect(await item.innerText()).toContain('大屏 left-wall 无心跳');
    expect(await item.innerText()).not.toContain('undefined');
    // the console asks GET /api/screens for the address; no /ws frame carries one
    await page.waitForFunction((sid) => /127\.0\.0\.1/.test(document.querySelector(`#screens li[data-screen-id="${sid}"]`)?.textContent ?? ''), id, { timeout: 10_000 });
    expect(await page.locator('#list li[data-id*="screen"]').count()).toBe(0);
    const later = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    const laterItem = later.page.locator(`#screens li[data-screen-id="${id}"]`);
    await laterItem.waitFor({ timeout: 20_000 });
    const { body } = await getJson(f.monitor, '/api/alerts?status=all', { headers: { authorization: `Bearer ${SUP}` } });
    expect(body.alerts.filter((a: { id: string; kind: string }) => a.kind !== 'level' && a.kind !== 'case')).toEqual([]);
    await saveScreenshot(page, 'console-silent-screen');
    // the same display opens the board again: the screen is back, and no longer listed
    line.down = false;
    const back = await display.newPage();
    await back.goto(wallUrl);
    await item.waitFor({ state: 'detached', timeout: 20_000 });
    await laterItem.waitFor({ state: 'detached', timeout: 20_000 });
    expect(await page.locator('#screens').isHidden()).toBe(true);
    await display.close();
    line.close();
    await later.page.context().close();
    expect([...errors, ...wall.errors, ...later.errors]).toEqual([]);
  });

  it('a supervisor of some branches sees theirs first-hand, the others read-only on request', async () => {
    const me = await getJson(f.monitor, '/api/me', { headers: { authorization: `Bearer ${BJ_SUP}` } });
    expect(me.body).toEqual({ role: 'supervisor', branches: ['BJ'], mayAct: true });
    await publishEvents(f.nc, [event('b-3', 'CON-3', { branch: 'BJ-HD' })]);
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${BJ_SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#mine-box:not([hidden])', { timeout: 20_000 });
    await page.waitForFunction(() => document.getElementById('my-branches')?.textContent === '(北京分行)', undefined, { timeout: 20_000 }); // once the plan is in
    const mine = page.locator('li[data-id="case.CON-3"]'); // 海淀支行, under 北京分行
    await mine.waitFor({ timeout: 30_000 });
    expect(await page.locator('li[data-id="case.CON-1"]').count()).toBe(0); // 上海分行: not theirs
    await mine.click();
    expect(await page.locator('#detail form[data-action="ack"]').count()).toBe(1);
    await page.uncheck('#f-mine');
    const other = page.locator('li[data-id="case.CON-1"]');
    await other.waitFor({ timeout: 5_000 });
    expect(await other.innerText()).toContain('只读 read-only');
    await other.click();
    expect(await page.locator('#detail .readonly-note').innerText()).toContain('北京分行');
    expect(await page.locator('#detail form').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('fits a phone screen without horizontal scrolling', async () => {
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 390, height: 844 });
    await page.locator('li[data-id="case.CON-1"]').waitFor({ timeout: 20_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await saveScreenshot(page, 'console-phone');
    expect(errors).toEqual([]);
  });

  it('refuses the page without a token', async () => {
    const res = await fetch(`${f.monitor.baseUrl}/console/`);
    expect(res.status).toBe(401);
  });
});

