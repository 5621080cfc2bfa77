import { describe, expect, it } from 'vitest';
import { openPage } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

// The dead-letter window is kept in memory: after a restart the wall's "N 条事件无法计数（死信，
// 近1小时）" fell to the count since the restart (soak CE F4). While the monitor's run is under an
// hour old the heartbeat says since when (`deadLetters.since`), and the label says so.

const stage = fakeBoard(makeSnapshot);
const beat = (deadLetters: Record<string, unknown>) =>
  stage.server.send({ type: 'heartbeat', asOf: new Date().toISOString(), heartbeatMs: 5000, pipeline: { consuming: true, nats: 'connected', pending: 0, lagMs: 0, writeError: null, lastBatchAt: new Date().toISOString(), deadLetters } });

describe('wallboard - dead letters counted since this start', () => {
  it('says 本次启动以来 while the window began with this run, and not once it holds the hour; whole at 1920x1080', async () => {
    const { page, errors } = await openPage(stage.browser, `${stage.server.url}/`);
    try {
      await page.waitForFunction(() => (window as unknown as { __wallboard?: { connected: boolean } }).__wallboard?.connected, undefined, { timeout: 10_000 });
      const pill = page.locator('#dead-letters');
      const cut = () => pill.evaluate((e) => e.scrollWidth > e.clientWidth + 1);
      const since = new Date(Date.now() - 6 * 60_000).toISOString();
      beat({ received: 500, deadLetters: 3, lastDeadLetterAt: since, since });
      await page.waitForFunction(() => /本次启动以来/.test(document.getElementById('dead-letters')!.textContent ?? ''), undefined, { timeout: 5_000 });
      expect(await pill.textContent()).toBe('3 条事件无法计数（死信，近1小时；本次启动以来）');
      expect(await cut()).toBe(false);
      // the red share says it too
      beat({ received: 20, deadLetters: 3, lastDeadLetterAt: since, since, brokerStore: { status: 'degraded', reasons: ['x'] } });
      await page.waitForFunction(() => document.getElementById('dead-letters')!.dataset.level === 'critical', undefined, { timeout: 5_000 });
      expect(await pill.textContent()).toBe('数据异常：15% 事件无法计数（死信，近1小时；本次启动以来）');
      expect(await cut()).toBe(false);
      beat({ received: 500, deadLetters: 3, lastDeadLetterAt: since, since: null });
      await page.waitForFunction(() => document.getElementById('dead-letters')!.textContent === '3 条事件无法计数（死信，近1小时）', undefined, { timeout: 5_000 });
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
