// A wall screen that fell behind gets a fresh snapshot from the server, numbered as the server's
// last frame (pipelines/sinks/wallboard.ts): the frames it skipped make a jump in seq, which
// for a snapshot is no gap (audit W F4). In a real Chromium against the scripted server.
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

describe('wall-board catch-up snapshot', () => {
  it('catch-up - a snapshot whose seq skips frames is taken whole on the same link', async () => {
    const before = stage.server.connections;
    const seq = stage.server.seq + 40;
    stage.server.sendRaw({ type: 'snapshot', seq, ...makeSnapshot() });
    await page.waitForFunction(`window.__wallboard.lastSeq === ${seq}`, undefined, { timeout: 5000 });
    expect(stage.server.connections).toBe(before);
    expect(await page.evaluate('window.__wallboard.connected')).toBe(true);
  });
});
