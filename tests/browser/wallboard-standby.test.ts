import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../server/natsd.ts';
import { closeBrowser, launchBrowser, openPage, saveScreenshot } from '../helpers/browser.ts';
import { ROOT, startMonitor, startMonitorOnce, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { until } from '../faults/support.ts';

// A wall screen loaded while its address belongs to a standby (another monitor holds the counting
// lease) got a line of JSON and kept it after that address took over and counted: nobody reloads
// a kiosk (audit CN1). It now gets a page that says so, and becomes the wall-board by itself once
// a monitor counts at that address, through the standby's restarts, whose closed port a meta
// refresh would have landed on.

const VIEWER = 'wsviewer00000000000000000';
const env = { PLAN: join(ROOT, 'tests/fixtures/plan-2025.yaml'), MONITOR_TOKENS: `${VIEWER}:viewer,wssupervisor0000000000000:supervisor` };

let nats: TestNats;
let holder: MonitorProcess;
let browser: Browser;
/** the standby's address, run under a restart loop as compose's `restart: unless-stopped` would */
let port: number;
let current: MonitorProcess | undefined;
let looping = true;
const starts: number[] = [];
let loop: Promise<void> = Promise.resolve();

beforeAll(async () => {
  nats = await startTestNats();
  holder = await startMonitor({ NATS_URL: nats.url, ...env });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  looping = false;
  await current?.kill('SIGKILL');
  await loop;
  await current?.kill('SIGKILL');
  await holder?.kill('SIGKILL');
  await closeBrowser(browser);
  await nats?.cleanup();
});

describe('wallboard - loaded on a standby', () => {
  it('shows a standby page, then the wall-board once a monitor counts at that address', async () => {
    port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'cewm-standby-'));
    loop = (async () => {
      while (looping) {
        starts.push(Date.now());
        current = await startMonitorOnce({ NATS_URL: nats.url, ...env, DATA_DIR: dataDir }, { waitHealthy: false }, port);
        await new Promise((r) => (current!.child.exitCode !== null ? r(null) : current!.child.once('exit', r)));
        await new Promise((r) => setTimeout(r, 500)); // the restart policy's pause
      }
    })();
    const url = `http://127.0.0.1:${port}/?kiosk&token=${VIEWER}&screen=standby-test`;
    await until('the monitor there to be a standby', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/health?token=${VIEWER}`).catch(() => undefined);
      return res?.status === 503 && ((await res.json()) as { status: string }).status === 'lease-refused';
    });

    const { page } = await openPage(browser, url);
    expect(await page.locator('meta[name="monitor-standby"]').getAttribute('content')).toBe('refused');
    const text = await page.locator('body').innerText();
    expect(text).toContain('此监测服务为备用');
    expect(text).toContain('预警大屏');
    expect(text).not.toContain(holder.dataDir); // a viewer's screen does not say where the holder runs
    await saveScreenshot(page, 'wallboard-standby');

    // the standby goes through at least one restart (its port closed a moment) while still refused
    const restartsBefore = starts.length;
    await until('the standby to restart once', () => starts.length > restartsBefore, 40_000);
    await until('it to be refused again', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/health?token=${VIEWER}`).catch(() => undefined);
      return res?.status === 503 && ((await res.json()) as { status: string }).status === 'lease-refused';
    });
    expect(await page.locator('meta[name="monitor-standby"]').count()).toBe(1);

    // the holder stops: the standby's next start takes the lease and counts at the same address
    await holder.kill('SIGTERM');
    // asked through navigations: the standby page loads the wall-board in its place
    await until('the wall-board to be connected on that page', () => page.evaluate(() => (window as unknown as { __wallboard?: { connected: boolean } }).__wallboard?.connected === true).catch(() => false), 90_000);
    expect(page.url()).toBe(url);
    expect(await page.locator('meta[name="monitor-standby"]').count()).toBe(0);
    await saveScreenshot(page, 'wallboard-standby-took-over');
    await page.context().close();
  }, 180_000);
});
