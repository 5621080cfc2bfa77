import { describe, expect, it } from 'vitest';
import { openPage } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

// A planned restart (SIGTERM) closes the pages' links with 1001 "server stopping"; while the
// monitor restarts, its port refuses the reconnects, each a bare 1006. The soak's walls then said
// "connection lost (1006)" for the seconds of the restart (soak CE F5): the stop's words must stay
// until a link opens again, and a link lost later is said as lost.

const stage = fakeBoard(makeSnapshot);

describe('wallboard - a restart said as a restart', () => {
  it('keeps "监测服务停止或重启" through refused reconnects, and says a later loss as a loss', async () => {
    const { page, errors } = await openPage(stage.browser, `${stage.server.url}/`);
    try {
      await page.waitForFunction('window.__wallboard?.connected', undefined, { timeout: 10_000 });
      stage.server.setAccepting(false);
      stage.server.dropClients(1001);
      // the first reconnect is refused: attempt 2 is scheduled
      await page.waitForFunction('window.__wallboard.link.status === "disconnected" && window.__wallboard.link.attempt >= 2', undefined, { timeout: 10_000 });
      expect((await page.evaluate('window.__wallboard.link')) as { reason: string }).toMatchObject({ reason: expect.stringMatching(/监测服务停止或重启.*\(1001\)/) });
      expect(await page.locator('#conn-banner').innerText()).toContain('监测服务停止或重启');

      const before = stage.server.connections;
      stage.server.setAccepting(true);
      await stage.server.waitForConnections(before + 1, 40_000);
      await page.waitForFunction('window.__wallboard.connected', undefined, { timeout: 10_000 });
      // back: a link that then fails is no restart any more
      stage.server.setAccepting(false);
      stage.server.dropClients(1011);
      await page.waitForFunction('window.__wallboard.link.status === "disconnected"', undefined, { timeout: 10_000 });
      expect((await page.evaluate('window.__wallboard.link')) as { reason: string }).toMatchObject({ reason: expect.not.stringMatching(/监测服务停止或重启/) });
      expect(errors).toEqual([]);
    } finally {
      stage.server.setAccepting(true);
      await page.context().close();
    }
  });
});
