// Whether tickets reach the board (audit V F5) and events the bank-wide figures hold that no
// branch does (audit V F16), on the wall-board page in a real Chromium.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

const stage = fakeBoard(makeSnapshot);
let page: Page;

beforeAll(async () => {
  ({ page } = await openPage(stage.browser, `${stage.server.url}/?token=viewer-token`));
  await page.waitForFunction('!!window.__wallboard?.connected && !!window.__wallboard.state.plan');
});

const HOUR = 3_600_000;
/** a heartbeat stamped now, as the server sends it */
const beat = (pipeline: Record<string, unknown>) =>
  stage.server.send({ type: 'heartbeat', asOf: new Date().toISOString(), heartbeatMs: 5000, pipeline: { consuming: true, nats: 'connected', pending: 0, lagMs: 0, writeError: null, ...pipeline } });
const intake = async (state: string) => {
  await page.waitForSelector(`#intake[data-state="${state}"]:not([hidden])`, { timeout: 5000 });
  return page.locator('#intake').innerText();
};
const withModule = <T>(path: string, body: string) => page.evaluate(`import(${JSON.stringify(path)}).then((m) => (${body}))`) as Promise<T>;

describe('wall-board intake', () => {
  it('intake - the top bar says when the last ticket arrived, in grey', async () => {
    beat({ lastBatchAt: new Date(Date.now() - 8 * 60_000).toISOString() });
    expect(await intake('recent')).toMatch(/^最后来单 \d\d-\d\d \d\d:\d\d$/);
    expect(await page.locator('#intake').evaluate((e) => getComputedStyle(e).color)).toBe('rgb(138, 155, 180)');
  });

  it('intake - hours without a ticket are said, still grey: a quiet night is not an outage', async () => {
    beat({ lastBatchAt: new Date(Date.now() - 5 * HOUR).toISOString() });
    expect(await intake('quiet')).toMatch(/^5 h 无新单 · 最后来单 \d\d-\d\d \d\d:\d\d$/);
    expect(await page.locator('#intake').evaluate((e) => getComputedStyle(e).color)).toBe('rgb(138, 155, 180)');
    expect(await page.locator('#conn').getAttribute('data-status')).toBe('live');
  });

  it('intake - a monitor that has received nothing since it started says so', async () => {
    beat({ lastBatchAt: null });
    expect(await intake('none-since-start')).toBe('监测启动以来未收到工单');
  });

  it('intake - with nothing counted and nothing received: no tickets yet; the threshold is the page\'s', async () => {
    const r = await withModule<unknown[]>(
      '/src/intake.js',
      `[m.intakeState({ lastBatchAt: null }, { nowMs: 0, anyCounted: false }).state,
        m.intakeState(null, { nowMs: 0, anyCounted: false }),
        m.intakeState({ lastBatchAt: '2025-03-14T09:00:00+08:00' }, { nowMs: Date.parse('2025-03-14T10:30:00+08:00'), anyCounted: true, quietMs: 3600000 }).state,
        m.intakeState({ lastBatchAt: '2025-03-14T09:00:00+08:00' }, { nowMs: Date.parse('2025-03-14T10:30:00+08:00'), anyCounted: true }).state]`,
    );
    expect(r).toEqual(['never', null, 'quiet', 'recent']);
  });

  it('unknown branches - the bank-wide column says it holds events of branches the plan does not list', async () => {
    const code = page.locator('#grid thead th.scope.all .scope-code');
    expect(await code.innerText()).toBe('ALL');
    beat({ lastBatchAt: new Date().toISOString(), unknownBranches: { events: 2, codes: ['SZ'] } });
    await page.waitForSelector('#grid thead th.scope.all .scope-code[data-unknown="2"]', { timeout: 5000 });
    expect(await code.innerText()).toBe('含未列入计划的网点 2 条');
    expect(await code.getAttribute('title')).toContain('SZ');
    beat({ lastBatchAt: new Date().toISOString(), unknownBranches: { events: 0, codes: [] } });
    await page.waitForFunction(() => document.querySelector('#grid thead th.scope.all .scope-code')?.textContent === 'ALL', undefined, { timeout: 5000 });
  });

  // Audit W F2: with the broker's store full every intake system's publish was refused, while the
  // wall said 实时 (nothing new arrived to count). The heartbeat's brokerStore reaches the top bar.
  it('broker store - a store that refuses the intake\'s tickets is said in red; gone when it takes them again', async () => {
    beat({ lastBatchAt: new Date().toISOString(), brokerStore: { status: 'degraded', reasons: ['the broker refuses to store messages'] } });
    await page.waitForSelector('#broker-store:not([hidden])', { timeout: 5000 });
    expect(await page.locator('#broker-store').innerText()).toContain('消息存储将满/已满：来单可能被拒');
    expect(await page.locator('#broker-store').getAttribute('title')).toContain('refuses');
    beat({ lastBatchAt: new Date().toISOString(), brokerStore: { status: 'ok' } });
    await page.waitForSelector('#broker-store[hidden]', { state: 'attached', timeout: 5000 });
  });

  // A monitor whose NATS user may not publish the gateway notices: nobody on call hears of an alert.
  it('notices refused - the top bar says the people on call get no notices, and why in its title; gone when none are refused', async () => {
    beat({ lastBatchAt: new Date().toISOString(), noticesRefused: { subject: 'complaints.alerts.auto_loan.GZ', why: 'no permission to publish', at: new Date().toISOString(), count: 3, subjects: 1 } });
    await page.waitForSelector('#notices-refused:not([hidden])', { timeout: 5000 });
    expect(await page.locator('#notices-refused').innerText()).toContain('值班人员收不到');
    expect(await page.locator('#notices-refused').getAttribute('title')).toMatch(/complaints\.alerts\.auto_loan\.GZ 的告警通知被拒收（监测程序的 NATS 用户无发布权限；本次启动以来 3 条/);
    beat({ lastBatchAt: new Date().toISOString(), noticesRefused: null });
    await page.waitForSelector('#notices-refused[hidden]', { state: 'attached', timeout: 5000 });
  });

  // Audit V F15: the level tile showed three bare coloured numbers over a line counting something
  // else (cells by their level now); each figure now carries its word.
  it('level tile - each figure of the open level alerts says its level, and the tile says it counts alerts', async () => {
    stage.server.send({ type: 'headline', asOf: new Date().toISOString(), now: { rate: 0.8, unresolved: 10, firstContact: 50, allowanceToDate: 40, annualAllowance: 124, ratio: 0.25, levels: { ok: 10, watch: 3, breach: 4, critical: 1 } }, lastWeek: null, alerts: { open: 8, openCases: 0, byLevel: { critical: 1, breach: 7, watch: 0 }, openedThisWeek: 0, openedLastWeek: 0 } });
    const tile = page.locator('#headline .tile[data-tile="levels"]');
    await page.waitForFunction(() => document.querySelector('#headline .tile[data-tile="levels"] .lv-breach b')?.textContent === '7');
    const figures = await tile.locator('.lv').evaluateAll((spans) => spans.map((s) => `${s.querySelector('small')?.textContent} ${s.querySelector('b')?.textContent}`));
    expect(figures).toEqual(['严重 1', '超标 7', '关注 0']);
    expect(await tile.locator('.tile-label').innerText()).toContain('等级预警');
  });

  // Verification of audits V and W: at 1920 the top bar cut the new notes to "…" (the time of
  // the last ticket, the store warning). The English subtitle gives way, the red note is never
  // the one cut, and each note says its key words first.
  it('top bar - at 1920×1080 the dead-letter and last-ticket notes fit whole; with the store warning too, that one stays whole', async () => {
    const cut = (ids: string[]) => page.evaluate((list) => list.filter((id) => { const e = document.getElementById(id)!; return !e.hidden && e.scrollWidth > e.clientWidth + 1; }), ids);
    const deadLetters = { received: 100, deadLetters: 36, lastDeadLetterAt: new Date().toISOString() };
    beat({ lastBatchAt: new Date(Date.now() - 5 * HOUR).toISOString(), deadLetters });
    await page.waitForSelector('#dead-letters:not([hidden])', { timeout: 5000 });
    expect(await cut(['dead-letters', 'intake'])).toEqual([]);
    expect(await page.locator('#subtitle').isVisible()).toBe(false);
    beat({ lastBatchAt: new Date(Date.now() - 5 * HOUR).toISOString(), deadLetters, brokerStore: { status: 'degraded', reasons: ['x'] } });
    await page.waitForSelector('#broker-store:not([hidden])', { timeout: 5000 });
    expect(await cut(['broker-store'])).toEqual([]);
    beat({ lastBatchAt: new Date().toISOString(), brokerStore: { status: 'ok' } });
  });

  // Verification of audit V: a second demo run re-sent the year, every message a repeat, and the
  // wall said tickets had just come. 最后来单 is when a batch last stored a new event.
  it('intake - a batch of repeats is no new ticket: the last-ticket time is the last new event\'s', async () => {
    beat({ lastBatchAt: new Date().toISOString(), lastTicketAt: new Date(Date.now() - 5 * HOUR).toISOString() });
    expect(await intake('quiet')).toMatch(/^5 h 无新单 · 最后来单 /);
  });
});
