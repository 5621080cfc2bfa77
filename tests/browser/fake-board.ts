import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { closeBrowser, launchBrowser } from '../helpers/browser.ts';
import { startFakeWallboardServer, type FakeWallboardServer, type SnapshotBody } from '../helpers/fake-wallboard-server.ts';

// The stage most wall-board page tests share: the fake wall-board server on a snapshot, and one
// real Chromium. Registers the file's beforeAll/afterAll; the returned object is filled before
// the file's own beforeAll runs.

export interface FakeBoard {
  server: FakeWallboardServer;
  browser: Browser;
}

export function fakeBoard(initial: () => SnapshotBody): FakeBoard {
  const stage = {} as FakeBoard;
  beforeAll(async () => {
    stage.server = await startFakeWallboardServer(initial());
    stage.browser = await launchBrowser();
  });
  afterAll(async () => {
    if (stage.browser) await closeBrowser(stage.browser);
    await stage.server?.close();
  });
  return stage;
}
