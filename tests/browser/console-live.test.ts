import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fakeBoard } from './fake-board.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

// The console said "实时 live" through a broker outage, a hung monitor and paused counting (soak CE
// F1): it reacted only to its socket closing. Served here by the fake wall-board server, whose
// /ws the test scripts; the console's HTTP reads are answered in the browser.

const stage = fakeBoard(makeSnapshot);
const healthy = { consuming: true, nats: 'connected', lagMs: 0, lastBatchAt: null };

async function openConsole(): Promise<{ page: Page; errors: string[] }> {
  const context = await stage.browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await context.route('**/api/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    const body = path === '/api/me' ? { role: 'supervisor', branches: null, mayAct: true } : path.startsWith('/api/classification') ? { items: [], total: 0 } : { alerts: [], ackReasons: [] };
    return route.fulfill({ contentType: 'application/json', body: JSON.stringify(body) });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${stage.server.url}/console/`);
  return { page, errors };
}

const shown = (page: Page) => page.evaluate(() => ({
  state: document.getElementById('conn')!.dataset.state,
  pill: document.getElementById('conn')!.textContent,
  stale: document.body.classList.contains('stale'),
  grey: getComputedStyle(document.getElementById('list')!).filter,
  banner: document.getElementById('stall-banner')?.hidden === false ? document.getElementById('stall-banner')!.textContent : null,
}));

describe('console - live only while the link and the pipeline are', () => {
  it('a link silent for three heartbeats says disconnected and greys the list, then reconnects', async () => {
    stage.server.setSnapshot({ ...makeSnapshot(), heartbeatMs: 300, pipeline: healthy } as never);
    const before = stage.server.connections;
    const { page, errors } = await openConsole();
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
    expect((await shown(page)).stale).toBe(false);
    // the fake server sends nothing after the snapshot: a hung monitor, TCP still open
    await page.waitForFunction(() => document.getElementById('conn')!.dataset.state === 'closed' && document.body.classList.contains('stale'), undefined, { timeout: 10_000 });
    const silent = await shown(page);
    expect(silent.pill).toMatch(/无心跳/);
    expect(silent.grey).toMatch(/grayscale/);
    // it gives the silent socket up and opens another
    await stage.server.waitForConnections(before + 2);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a pipeline not consuming, a broker not connected or far behind says 数据管道停滞 until it moves again', async () => {
    stage.server.setSnapshot({ ...makeSnapshot(), heartbeatMs: 60_000, pipeline: healthy } as never);
    const { page, errors } = await openConsole();
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
    const beat = (pipeline: object) => stage.server.send({ type: 'heartbeat', asOf: new Date().toISOString(), heartbeatMs: 60_000, pipeline: { ...healthy, ...pipeline } });
    const stalled = async (why: RegExp) => {
      await page.waitForSelector('#conn[data-state="stalled"]', { timeout: 5_000 });
      const s = await shown(page);
      expect(s.pill).toMatch(/数据管道停滞/);
      expect(s.stale).toBe(true);
      expect(s.banner).toMatch(why);
      beat({});
      await page.waitForSelector('#conn[data-state="live"]', { timeout: 5_000 });
      expect(await shown(page)).toMatchObject({ stale: false, banner: null, pill: '实时 live' });
    };
    beat({ nats: 'disconnected' });
    await stalled(/NATS 消息服务连接中断/);
    beat({ consuming: false });
    await stalled(/未在读取事件流/);
    beat({ lagMs: 10 * 60_000 });
    await stalled(/处理落后/);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
