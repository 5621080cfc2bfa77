import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeBrowser, launchBrowser, openPage } from '../helpers/browser.ts';
import { startFakeWallboardServer, type FakeWallboardServer } from '../helpers/fake-wallboard-server.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

// The wall-board page in a real Chromium, served by the fake wall-board server, for tests that
// import its plain ES modules where they run. Registers the file's beforeAll/afterAll.

export interface ModulePage {
  page(): Page;
  /** Evaluates `body` in the page with the module at `path` bound to `m`. */
  withModule<T>(path: string, body: string): Promise<T>;
}

export function modulePage(): ModulePage {
  let server: FakeWallboardServer | undefined;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    server = await startFakeWallboardServer(makeSnapshot());
    browser = await launchBrowser();
    ({ page } = await openPage(browser, `${server.url}/`));
  });
  afterAll(async () => {
    await closeBrowser(browser);
    await server?.close();
  });
  return {
    page: () => page,
    withModule: <T>(path: string, body: string) => page.evaluate(`import(${JSON.stringify(path)}).then((m) => (${body}))`) as Promise<T>,
  };
}
