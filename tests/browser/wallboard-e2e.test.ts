// The wall-board against the real monitor process: nats-server → monitor (pipeline, embedded
// ClickHouse) → /ws → headless Chromium. The plan is the fixture plan moved to the current year,
// so the page shows a year in progress (the contract's asOf defaults to now).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { NatsConnection } from '@nats-io/nats-core';
import type { CounterRow } from '../../pipelines/model.ts';
import { closeBrowser, launchBrowser, openPage, saveScreenshot, waitForExpression } from '../helpers/browser.ts';
import { ticketStream } from '../helpers/events.ts';
import { squeezeIntoYearSoFar } from '../helpers/year-so-far.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, publishRaw, waitConsumed } from '../helpers/publish.ts';
import { startTcpRelay, type TcpRelay } from '../helpers/tcp-relay.ts';
import { expectPageEqualsApi as pageEqualsApi, expectedNumbers, pageNumbers } from '../helpers/wallboard-page.ts';

const nowMs = Date.now();
const YEAR = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date(nowMs)));
const dir = mkdtempSync(join(tmpdir(), 'cewm-wall-'));
const PLAN = join(dir, `plan-${YEAR}.yaml`);
writeFileSync(PLAN, readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8').replace(/^year: 2025$/m, `year: ${YEAR}`));
// Events up to now only: a live board of a year in progress, with all its tickets on any day of
// the year, early January too (year-so-far.test.ts checks that against other dates).
const batch = (seed: number, prefix: string, tickets: number) =>
  squeezeIntoYearSoFar(ticketStream({ seed, tickets, year: YEAR, customers: 150, prefix }), YEAR, nowMs);

let relay: TcpRelay;

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
let browser: Browser;
let page: Page;
let errors: string[];
let base: string;
const env = () => ({ NATS_URL: nats.url, PLAN, DATA_DIR: join(dir, 'data'), WALLBOARD_HEARTBEAT_MS: '1000', SCREEN_SILENT_MS: '4000', WALLBOARD_COALESCE_MS: '200' });

/** the monitor again on the same data, behind the same relay (the page's address stays) */
const restartMonitor = async (extra: Record<string, string> = {}) => {
  await monitor.kill();
  monitor = await startMonitor({ ...env(), ...extra });
  relay.target = monitor.port;
};
const board = <T>(fn: string): Promise<T> => page.evaluate(`(() => { const w = window.__wallboard; return ${fn}; })()`) as Promise<T>;
const waitBoard = (p: Page, cond: string, timeout = 15_000) =>
  waitForExpression(p, `(() => { const w = window.__wallboard; return !!w && (${cond}); })()`, { timeout });

const expectPageEqualsApi = (p: Page, timeoutMs?: number) => pageEqualsApi(monitor, YEAR, p, timeoutMs);

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor(env());
  relay = await startTcpRelay(monitor.port); // the page keeps one URL while the monitor restarts
  base = `http://127.0.0.1:${relay.port}`;
  await publishEvents(nc, batch(11, 'w1', 400));
  await waitConsumed(nc);
  browser = await launchBrowser();
  ({ page, errors } = await openPage(browser, `${base}/?screen=e2e-left`));
  await waitBoard(page, 'w.connected && w.state.plan');
}, 180_000);

afterAll(async () => {
  await closeBrowser(browser);
  await monitor?.kill();
  relay?.close();
  await nc?.close();
  await nats?.cleanup();
});

describe('wall-board e2e (real monitor)', () => {
  it('wallboard e2e - charts, grid and headline show exactly what /api/counters says', async () => {
    const rows = await expectPageEqualsApi(page);
    expect(await page.locator('#plan-ended').isVisible()).toBe(false); // the plan of the year in progress
    expect(rows.reduce((n, r) => n + r.unresolvedCustomers, 0)).toBeGreaterThan(10);
    expect(await page.locator('.panel .chart canvas').count()).toBe(3);
    for (const r of rows.filter((x) => x.scope === 'ALL')) {
      const panel = page.locator(`.panel[data-type="${r.complaintType}"]`);
      expect(await panel.locator('.ytd-unresolved').innerText()).toBe(String(r.unresolvedCustomers));
      expect(await panel.locator('.otr-rate').innerText()).toBe(r.oneTimeResolutionRate === null ? '—' : `${(r.oneTimeResolutionRate * 100).toFixed(1)}%`);
    }
    const all = rows.filter((r) => r.scope === 'ALL');
    const sumU = all.reduce((n, r) => n + r.unresolvedCustomers, 0);
    expect((await page.locator('#headline .tile[data-tile="notAgreed"] .value').innerText()).split(' / ')[0]).toBe(String(sumU));
    // rows sorted by bank-wide ratio, highest first
    const order = await page.locator('#grid tbody tr').evaluateAll((trs) => trs.map((t) => (t as HTMLElement).dataset.type));
    expect(order).toEqual([...all].sort((a, b) => (b.ratio ?? -1) - (a.ratio ?? -1)).map((r) => r.complaintType));
    await waitBoard(page, 'w.state.pipeline && w.state.pipeline.lagMs === 0');
    expect(await page.locator('.panel .fresh').first().innerText()).toMatch(/更新 \d\d:\d\d:\d\d · 延迟 0 s/);
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-e2e-initial'));
  });

  it('wallboard e2e - updates live when events are published, and lists the screen', async () => {
    const seqBefore = await board<number>('w.lastSeq');
    await publishEvents(nc, batch(12, 'w2', 300));
    await waitConsumed(nc);
    await waitBoard(page, `w.lastSeq > ${seqBefore}`);
    await expectPageEqualsApi(page);
    expect(await board('w.connected')).toBe(true);
    const { body } = await getJson(monitor, '/api/screens');
    const me = body.screens.find((s: { name: string }) => s.name === 'e2e-left');
    expect(me).toMatchObject({ connected: true, silent: false, watched: true }); // named: watched for silence
    expect(typeof me.lastHeartbeat).toBe('string');
  });

  it('wallboard e2e - a click on a type opens its curves by branch, each drawn; Escape closes them', async () => {
    await page.locator('.panel[data-type="mortgage_prepayment"]').click();
    const drill = page.locator('#drill[data-type="mortgage_prepayment"]');
    await drill.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#drill .drill-item canvas').length >= 6, undefined, { timeout: 10_000 });
    const scopes = await drill.locator('.drill-item').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.scope));
    expect(scopes).toEqual(['ALL', 'BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ']);
    const { body } = await getJson(monitor, `/api/counters?scope=SH&type=mortgage_prepayment`);
    expect(await drill.locator('.drill-item[data-scope="SH"] h3').innerText()).toBe(`上海分行 ${body.rows[0].unresolvedCustomers} / ${body.rows[0].allowanceToDate.toFixed(1)}`);
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-e2e-drill'));
    await page.keyboard.press('Escape');
    await drill.waitFor({ state: 'detached', timeout: 5_000 });
    expect(errors).toEqual([]);
  });

  it('wallboard e2e - kiosk rotates pages and fits 1920×1080 and 3840×2160', async () => {
    for (const viewport of [{ width: 1920, height: 1080 }, { width: 3840, height: 2160 }]) {
      const line = await startTcpRelay(monitor.port); // its own line, cut below as a screen's network dies
      const k = await openPage(browser, `http://127.0.0.1:${line.port}/?kiosk&rotate=3&screen=kiosk-${viewport.width}`, viewport);
      const shown = (id: string) => `getComputedStyle(document.getElementById('${id}')).display !== 'none'`;
      // Each page is checked in one evaluation, so the rotation timer cannot slip in between.
      await waitBoard(k.page, `w.connected && w.state.plan && w.page === "charts" && !${shown('bottom')} && ${shown('panels')} && !${shown('lang-switch')}`);
      console.log('screenshot:', await saveScreenshot(k.page, `wallboard-kiosk-${viewport.width}-charts`));
      await waitBoard(k.page, `w.page === "grid" && !${shown('panels')} && ${shown('bottom')}`, 10_000);
      const fit = await k.page.evaluate(() => ({ h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth, vh: innerHeight, vw: innerWidth }));
      expect(fit.h).toBeLessThanOrEqual(fit.vh);
      expect(fit.w).toBeLessThanOrEqual(fit.vw);
      console.log('screenshot:', await saveScreenshot(k.page, `wallboard-kiosk-${viewport.width}-grid`));
      await waitBoard(k.page, 'w.page === "charts"', 10_000);
      expect(k.errors).toEqual([]);
      // cut, not closed: a page closed on purpose is not missed (audit V F9); one whose line dies is
      line.close();
      await k.page.context().close();
    }
  });

  it('wallboard e2e - events that cannot be counted show in the top bar, in red when they are much of the hour', async () => {
    const pill = page.locator('#dead-letters');
    expect(await pill.isVisible()).toBe(false);
    for (let i = 0; i < 3; i++) await publishRaw(nc, 'complaints.tickets.BJ', `{"eventId":"dl-${i}","occurredAt":"2025-01-01T10:00:00"}`);
    await waitConsumed(nc);
    await waitBoard(page, 'w.state.pipeline && w.state.pipeline.deadLetters && w.state.pipeline.deadLetters.deadLetters === 3');
    await waitForExpression(page, `document.getElementById('dead-letters').textContent === '3 条事件无法计数（死信，近1小时；本次启动以来）'`, { timeout: 5_000 });
    expect(await pill.getAttribute('data-level')).toBe('watch');
    const health = await getJson(monitor, '/api/health');
    expect(health.body.events.lastHour).toMatchObject({ deadLetters: 3, lastDeadLetterAt: expect.stringMatching(/\+08:00$/) });
    // an intake system that broke its format: most of what it sends now is dead-lettered
    const received = health.body.events.lastHour.received as number;
    const broken = Math.ceil(received * 0.15);
    for (let i = 0; i < broken; i++) await publishRaw(nc, 'complaints.tickets.SH', 'not json');
    await waitConsumed(nc);
    await waitForExpression(page, `document.getElementById('dead-letters').dataset.level === 'critical'`, { timeout: 10_000 });
    expect(await pill.innerText()).toMatch(/^数据异常：\d+% 事件无法计数（死信，近1小时；本次启动以来）$/);
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-e2e-dead-letters'));
  });

  // Audit G: a silent screen was an alert on /ws only; now a screen status in every snapshot.
  it('wallboard e2e - a screen whose line dies is shown silent on the other screens, and on a board opened later', async () => {
    await waitBoard(page, `w.state.screens.some((s) => s.name.startsWith('kiosk-'))`, 20_000);
    const { body } = await getJson(monitor, '/api/screens');
    expect(body.screens.filter((s: { silent: boolean }) => s.silent).length).toBeGreaterThan(0);
    expect(await page.locator('#alerts li[data-kind="screen"]').first().innerText()).toMatch(/^大屏 kiosk-\d+ 无心跳$/m);
    const later = await openPage(browser, `${base}/?masked`);
    await waitBoard(later.page, 'w.connected && w.state.screens.length > 0');
    expect(await later.page.locator('#alerts li[data-kind="screen"]').first().innerText()).toContain('大屏无心跳'); // no name in public
    const alerts = await getJson(monitor, '/api/alerts?status=all');
    expect(alerts.body.alerts.filter((a: { kind: string }) => a.kind !== 'level' && a.kind !== 'case')).toEqual([]);
    expect(later.errors).toEqual([]);
    await later.page.context().close();
  });

  it('wallboard e2e - says disconnected within seconds when the monitor stops, recovers with correct numbers', async () => {
    await monitor.kill();
    await page.waitForSelector('#conn-banner:not([hidden])', { timeout: 10_000 });
    expect(await page.locator('#conn').getAttribute('data-status')).toBe('disconnected');
    expect(await page.evaluate(() => document.body.classList.contains('stale'))).toBe(true);
    expect(await page.locator('#grid-fresh').innerText()).toContain('延迟未知'); // not the last lag seen
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-e2e-disconnected'));
    // Events published while it is down are counted after the restart.
    await publishEvents(nc, batch(13, 'w3', 200));
    monitor = await startMonitor(env());
    relay.target = monitor.port;
    await waitConsumed(nc);
    await waitBoard(page, 'w.connected', 45_000);
    await expectPageEqualsApi(page);
    expect(await page.locator('#conn-banner').isHidden()).toBe(true);
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-e2e-recovered'));
    expect(errors).toEqual([]);
  });

  it('wallboard e2e - a token the server refuses is named on the screen, not taken for a server that is down', async () => {
    await restartMonitor({ MONITOR_TOKENS: 'e2e-viewer-token-0123456789:viewer' }); // this page has no token
    await page.waitForFunction(() => /访问被拒绝/.test(document.getElementById('conn-detail')?.textContent ?? ''), undefined, { timeout: 60_000, polling: 250 });
    expect(await page.locator('#conn').getAttribute('data-status')).toBe('disconnected');
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-e2e-token-refused'));
    await restartMonitor();
    await waitBoard(page, 'w.connected', 60_000);
    expect(await page.locator('#conn-banner').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  }, 150_000);
});
