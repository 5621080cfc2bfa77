import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { closeBrowser, launchBrowser, openPage } from '../helpers/browser.ts';
import { ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

// The monitor's own stop, end to end: a SIGTERM closes every page's link with 1001 (server/app.ts
// preClose), and the wall keeps saying so while the stopped monitor refuses its reconnects (soak CE
// F5 saw "connection lost (1006)" there, from those refused attempts).

type Board = { connected: boolean; link: { status: string; attempt: number; reason: string } };

let nats: TestNats;
let monitor: MonitorProcess;
let browser: Browser;
beforeAll(async () => {
  nats = await startTestNats();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN: join(ROOT, 'tests/fixtures/plan-2025.yaml') });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await closeBrowser(browser);
  await monitor?.kill('SIGKILL');
  await nats?.cleanup();
});

describe('wallboard - the monitor stopped by SIGTERM', () => {
  it('closes the wall, console and live links with 1001, and the wall says a restart through refused reconnects', async () => {
    const { page, errors } = await openPage(browser, `${monitor.baseUrl}/`);
    await page.waitForFunction(() => (window as unknown as { __wallboard: Board }).__wallboard?.connected, undefined, { timeout: 20_000 });
    await page.evaluate((base) => {
      const codes: Record<string, number> = {};
      (window as unknown as { closeCodes: typeof codes }).closeCodes = codes;
      // each link is in use (its snapshot came) before the stop
      return Promise.all(['/ws?view=console', '/ws?live=1'].map((path) => new Promise((heard) => {
        const ws = new WebSocket(base + path);
        ws.onmessage = heard;
        ws.onclose = (e) => (codes[path] = e.code);
      })));
    }, monitor.baseUrl.replace('http', 'ws'));
    await monitor.kill('SIGTERM');
    await page.waitForFunction(() => Object.keys((window as unknown as { closeCodes: object }).closeCodes).length === 2, undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { closeCodes: object }).closeCodes)).toEqual({ '/ws?view=console': 1001, '/ws?live=1': 1001 });
    await page.waitForFunction(() => (window as unknown as { __wallboard: Board }).__wallboard.link.status === 'disconnected' && (window as unknown as { __wallboard: Board }).__wallboard.link.attempt >= 2, undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { __wallboard: Board }).__wallboard.link.reason)).toMatch(/监测服务停止或重启.*\(1001\)/);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
