import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage } from '../helpers/browser.ts';
import { publishEvents } from '../helpers/publish.ts';
import { consoleFixture, event, SUP, VIEWER } from './console-fixture.ts';

// The console as a supervisor on duty uses it, in real headless Chromium against the real
// monitor: who may act sees the actions, what people wrote stays in the history, the next on-call
// climb is on screen, an alert that ends says why, and names and times read right whatever
// arrives first and wherever the reader sits (audits T, S and V).

const f = consoleFixture();

async function openConsole(token: string, opts: { timezoneId?: string; holdSnapshot?: Promise<void> } = {}) {
  const opened = await openPage(f.browser, 'about:blank', { width: 1366, height: 800 });
  const { page } = opened;
  if (opts.timezoneId) {
    await page.context().close();
    const context = await f.browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN', timezoneId: opts.timezoneId });
    opened.page = await context.newPage();
    opened.page.on('pageerror', (e) => opened.errors.push(`pageerror: ${e.message}`));
  }
  const hold = opts.holdSnapshot;
  if (hold) {
    // the /ws snapshot (which brings the plan) held back until the test lets it through
    await opened.page.routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage(async (m) => { await hold; ws.send(m); });
    });
  }
  await opened.page.goto(`${f.monitor.baseUrl}/console/?token=${token}`);
  return opened;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

describe('console - on duty', () => {
  it('a viewer sees the alert and its history but no action, and is told why', async () => {
    await publishEvents(f.nc, [event('d-1', 'DUTY-1', {})]);
    const { page, errors } = await openConsole(VIEWER);
    const item = page.locator('li[data-id="case.DUTY-1"]');
    await item.waitFor({ timeout: 30_000 });
    await page.waitForSelector('#me-box[hidden]', { state: 'attached', timeout: 10_000 }); // /api/me answered
    await item.click();
    await page.locator('#detail .history li').first().waitFor();
    expect(await page.locator('#detail form').count()).toBe(0);
    expect(await page.locator('#detail button').count()).toBe(0);
    expect(await text(page, '#detail .readonly-note')).toContain('只能查看（viewer）');
    expect(await item.innerText()).not.toContain('只读'); // every row is read-only for a viewer: not marked one by one
    expect(errors).toEqual([]);
  });

  it('acknowledges with a note: the history shows the note and the reason in Chinese; the climb time goes with the ack', async () => {
    await publishEvents(f.nc, [event('d-2', 'DUTY-2', {})]);
    const { page, errors } = await openConsole(SUP);
    const item = page.locator('li[data-id="case.DUTY-2"]');
    await item.waitFor({ timeout: 30_000 });
    // the plan is in: the default ladder climbs to the admins 15 minutes after the alert was raised
    await page.waitForFunction(() => /升第2级/.test(document.querySelector('li[data-id="case.DUTY-2"]')?.textContent ?? ''), undefined, { timeout: 20_000 });
    expect(await item.innerText()).toContain('期限 2025-05-21 10:00'); // the case's deadline, with its year (not this one)
    await item.click();
    expect(await text(page, '#d-facts')).toMatch(/未确认则 \d\d-\d\d \d\d:\d\d 升至值班第2级：全体管理员/);
    const options = await page.locator('form[data-action="ack"] option').allInnerTexts();
    expect(options).toContain('联系客户中');
    expect(options.join()).not.toMatch(/[a-z]/); // the default reasons all have Chinese words
    await page.fill('#me', '李主管');
    await page.selectOption('form[data-action="ack"] select', 'contacting_customer');
    await page.fill('form[data-action="ack"] input[name="note"]', '已电话联系客户，约定周五回访');
    await page.click('form[data-action="ack"] button');
    await page.waitForFunction(() => document.querySelector('#d-status')?.textContent === '已确认', undefined, { timeout: 15_000 });
    // the name typed, the token that acted (its role and fingerprint), the reason, the note
    expect(await text(page, '.history')).toMatch(/确认 · 李主管 \[主管令牌 [0-9a-f]{8}\] · 联系客户中 · 备注：已电话联系客户，约定周五回访/);
    expect(await text(page, '#d-facts')).not.toContain('升至');
    expect(await item.innerText()).not.toContain('升第2级');
    expect(errors).toEqual([]);
  });

  it('the selected case closes: the pane says it ended and why instead of emptying', async () => {
    await publishEvents(f.nc, [event('d-3', 'DUTY-3', {})]);
    const { page, errors } = await openConsole(SUP);
    const item = page.locator('li[data-id="case.DUTY-3"]');
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    await publishEvents(f.nc, [event('d-3r', 'DUTY-3', { kind: 'resolved', outcome: 'agreed', occurredAt: '2025-05-08T10:00:00+08:00' })]);
    await page.locator('#detail .ended').waitFor({ timeout: 30_000 });
    expect(await text(page, '#detail .ended')).toContain('办结：工单已达成一致');
    expect(await text(page, '#detail .history')).toContain('办结');
    expect(await item.count()).toBe(0); // it left the list
    expect(errors).toEqual([]);
  });

  it('the alerts answer before the plan: the type filter and the correction form end with the plan\'s names', async () => {
    await publishEvents(f.nc, [event('d-4', 'DUTY-4', {})]);
    let release!: () => void;
    const snapshot = new Promise<void>((r) => { release = r; });
    const { page, errors } = await openConsole(SUP, { holdSnapshot: snapshot });
    // GET /api/alerts has answered, the plan has not come: the filter lists codes for now
    await page.locator('li[data-id="case.DUTY-4"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#f-type option[value="insurance_dispute"]').innerText()).toBe('insurance_dispute');
    release();
    await page.waitForFunction(() => document.querySelector('#f-type option[value="insurance_dispute"]')?.textContent === '代理保险争议', undefined, { timeout: 20_000 });
    await page.locator('li[data-id="case.DUTY-4"]').click();
    const types = await page.locator('form[data-action="correct"] select[name="complaintType"] option').allInnerTexts();
    expect(types).toContain('代理保险争议');
    expect(types.join()).not.toMatch(/_/);
    expect(errors).toEqual([]);
  });

  it('read in another zone, the times carry their year and offset and the page names the plan\'s zone', async () => {
    await publishEvents(f.nc, [event('d-5', 'DUTY-5', {})]);
    const { page, errors } = await openConsole(SUP, { timezoneId: 'Europe/London' });
    const item = page.locator('li[data-id="case.DUTY-5"]');
    await item.waitFor({ timeout: 30_000 });
    await page.waitForSelector('#zone:not([hidden])', { timeout: 20_000 });
    expect(await text(page, '#zone')).toContain('Asia/Shanghai');
    await page.waitForFunction(() => /开启 2025-05-06 10:00 UTC\+08:00/.test(document.querySelector('li[data-id="case.DUTY-5"]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });
});
