import type { Page } from 'playwright-core';
import { beforeAll } from 'vitest';
import { openPage } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

// The wall-board page in a real Chromium, served by the fake wall-board server, for tests that
// import its plain ES modules where they run. Registers the file's beforeAll/afterAll.

export interface ModulePage {
  page(): Page;
  /** Evaluates `body` in the page with the module at `path` bound to `m`. */
  withModule<T>(path: string, body: string): Promise<T>;
}

export function modulePage(): ModulePage {
  const stage = fakeBoard(makeSnapshot);
  let page: Page;
  beforeAll(async () => {
    ({ page } = await openPage(stage.browser, `${stage.server.url}/`));
  });
  return {
    page: () => page,
    withModule: <T>(path: string, body: string) => page.evaluate(`import(${JSON.stringify(path)}).then((m) => (${body}))`) as Promise<T>,
  };
}
