// A wall screen stays open for days; an upgraded monitor serves new scripts that it never loads.
// Each snapshot names the monitor's web build (server/web-build.ts): a screen whose link comes
// back to another build reloads itself (an upgrade audit found pages running an earlier version's
// rules). In a real Chromium against the scripted server.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

const stage = fakeBoard(() => ({ ...makeSnapshot(), build: 'build-a' }));
let page: Page;

beforeAll(async () => {
  ({ page } = await openPage(stage.browser, `${stage.server.url}/?token=viewer-token`));
  await page.waitForFunction('!!window.__wallboard?.connected && !!window.__wallboard.state.plan');
});

describe('wall-board after an upgrade', () => {
  it('reloads itself when its link comes back to another build, not before and not for the same one', async () => {
    await page.evaluate('window.__loadedBefore = true');
    // the same build again (a plain reconnect): the page stays
    let connections = stage.server.connections;
    stage.server.dropClients();
    await stage.server.waitForConnections(connections + 1);
    await page.waitForFunction('!!window.__wallboard?.connected');
    expect(await page.evaluate('window.__loadedBefore === true')).toBe(true);

    // the monitor comes back upgraded
    stage.server.setSnapshot(() => ({ ...makeSnapshot(), build: 'build-b' }));
    connections = stage.server.connections;
    stage.server.dropClients();
    await page.waitForFunction('window.__loadedBefore === undefined && !!window.__wallboard?.connected && !!window.__wallboard.state.plan', undefined, { timeout: 20_000 });
    expect(stage.server.connections).toBeGreaterThanOrEqual(connections + 2); // the old page's link, then the reloaded page's

    // two versions behind one address (a rolling upgrade): the next link lands on the other one.
    // The screen reloaded a moment ago: it does not again, so it cannot loop
    await page.evaluate('window.__loadedBefore = true');
    stage.server.setSnapshot(() => ({ ...makeSnapshot(), build: 'build-a' }));
    connections = stage.server.connections;
    stage.server.dropClients();
    await stage.server.waitForConnections(connections + 1);
    await page.waitForFunction('!!window.__wallboard?.connected && !!window.__wallboard.state.plan');
    expect(await page.evaluate('window.__loadedBefore === true')).toBe(true);
  });

  // Verify AQ N2: a page served by one version and linked to another (two versions behind one
  // address) took its link's build for its own and never reloaded. It knows its own from the tag
  // the monitor puts in the page; here the tag is put in as another version's server would.
  it('a page served by another version than its link reloads once, and not again within the gap', async () => {
    stage.server.setSnapshot(() => ({ ...makeSnapshot(), build: 'build-new' }));
    const { page: split } = await openPage(stage.browser, `${stage.server.url}/page-of-build.html?build=build-old&token=viewer-token`);
    await split.waitForFunction('!!window.__wallboard?.connected && !!window.__wallboard.state.plan && performance.getEntriesByType("navigation")[0].type === "reload"', undefined, { timeout: 20_000 });
    await split.evaluate('window.__stayed = true');
    const connections = stage.server.connections;
    stage.server.dropClients();
    await stage.server.waitForConnections(connections + 1);
    await split.waitForFunction('!!window.__wallboard?.connected');
    expect(await split.evaluate('window.__stayed === true')).toBe(true);
    await split.context().close();
  });
});
