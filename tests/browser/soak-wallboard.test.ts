// Soak: an hour of wall-board traffic (4 coalesced flushes a second of counter changes, alerts,
// retroactive series, headline, server heartbeats) compressed into a couple of minutes against
// the scripted server, then the page's JS heap after a forced GC must be back within a small
// margin of where it started, and DOM nodes and listeners must not have grown.
// SOAK_FRAMES sets the amount (default one hour at 4 frames/s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { closeBrowser, launchBrowser, openPage, saveScreenshot } from '../helpers/browser.ts';
import { startFakeWallboardServer, type FakeWallboardServer } from '../helpers/fake-wallboard-server.ts';
import { SCOPES, WEEKS, counterRow, makeSnapshot, rfc3339, types } from './wallboard-fixture.ts';

const FRAMES = Number(process.env.SOAK_FRAMES) || 3600 * 4;

let server: FakeWallboardServer;
let browser: Browser;
let page: Page;
let cdp: CDPSession;

async function measure() {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  return { used: heap.usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners };
}

beforeAll(async () => {
  server = await startFakeWallboardServer(makeSnapshot());
  browser = await launchBrowser();
  ({ page } = await openPage(browser, `${server.url}/`));
  await page.waitForFunction('window.__wallboard && window.__wallboard.connected', undefined, { timeout: 15_000 });
  cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
});

afterAll(async () => {
  await closeBrowser(browser);
  await server?.close();
});

/** The i-th frame of the hour: mostly counters, now and then an alert, a series, a headline. */
function frame(i: number): Record<string, unknown> {
  const t = types[i % types.length]!;
  const scope = SCOPES[(i >> 2) % SCOPES.length]!;
  // time runs through weeks 10–20 so the curves and week index move too
  const w = WEEKS[10 + Math.floor((i / FRAMES) * 10)]!;
  const asOf = rfc3339(w.startMs + (i % 1000) * 60_000);
  if (i % 97 === 0) {
    return { type: 'alert', id: `a-${i % 300}`, kind: i % 2 ? 'case' : 'level', complaintType: t.code, scope, level: i % 3 ? 'critical' : 'watch', status: 'open', openedAt: asOf, ticketId: `T-${i}`, history: [{ at: asOf, action: 'opened' }] };
  }
  if (i % 53 === 0) {
    return { type: 'series', asOf, complaintType: t.code, scope: 'ALL', x: WEEKS.map((x) => x.endMs / 1000), allowance: WEEKS.map((_, k) => k), actual: WEEKS.map((_, k) => (k < 15 ? k + (i % 5) : null)), forecast: WEEKS.map(() => null) };
  }
  if (i % 41 === 0) {
    return { type: 'headline', asOf, now: { rate: 0.8, unresolved: i % 50, firstContact: 200, allowanceToDate: 40, annualAllowance: 124, ratio: 0.5, levels: { ok: 10, watch: 4, breach: 3, critical: 1 } }, lastWeek: null, alerts: { open: 3, openCases: 2, byLevel: { critical: 1, watch: 2 }, openedThisWeek: 1, openedLastWeek: 0 } };
  }
  if (i % 20 === 0) return { type: 'heartbeat', asOf, heartbeatMs: 5000, pipeline: { consuming: true, lagMs: 0, pending: 0 } };
  return { type: 'counter', asOf, ...counterRow(t.code, scope, (i >> 3) % 40, asOf) };
}

async function pump(from: number, to: number) {
  for (let i = from; i < to; i += 200) {
    for (let j = i; j < Math.min(to, i + 200); j++) server.send(frame(j));
    const seq = server.seq;
    // Let the page keep up (and be the one that is measured, not a send queue).
    await page.waitForFunction(`window.__wallboard.lastSeq === ${seq}`, undefined, { timeout: 60_000, polling: 50 });
  }
}

describe('wall-board soak', () => {
  it('soak - an hour of updates leaves the JS heap, DOM nodes and listeners flat', async () => {
    const warm = Math.min(1000, Math.floor(FRAMES / 10));
    await pump(0, warm); // first layout, caches, JIT
    // Fill the ticker to its cap first, so its (bounded) nodes are not counted as growth.
    for (let k = 0; k < 60; k++) server.send({ ...frame(0), id: `warm-${k}` });
    await page.waitForFunction(`window.__wallboard.lastSeq === ${server.seq}`, undefined, { timeout: 30_000 });
    const start = await measure();
    await pump(warm, FRAMES);
    expect(await page.evaluate('window.__wallboard.connected')).toBe(true);
    expect(await page.evaluate('window.__wallboard.state.alerts.length')).toBeLessThanOrEqual(50);
    const end = await measure();
    console.log('soak heap', { frames: FRAMES, start, end, growthBytes: end.used - start.used });
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-soak-end'));
    // Within 20% + 2 MB of the start: steady state, not a leak per frame.
    expect(end.used).toBeLessThan(start.used * 1.2 + 2 * 1024 * 1024);
    expect(end.nodes).toBeLessThan(start.nodes * 1.2 + 200);
    expect(end.listeners).toBeLessThanOrEqual(start.listeners + 10);
  }, 600_000);
});
