import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Browser } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeBrowser, launchBrowser, openPage, saveScreenshot } from '../helpers/browser.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';
import { event } from './console-fixture.ts';

// A case carried across the New Year whose type the new plan dropped (理财产品, strict in 2025,
// gone in 2026) was listed by the console under its code (`wealth_mgmt · 上海分行`) while the wall
// named it, and the type filter had no entry for it: a supervisor could not pick out the year
// before's cases. The console now takes the year before's names from the headline, as the wall
// does, and offers every listed alert's type and branch in its filters.

const SUP = 'carried-supervisor-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'cewm-console-carried-'));
const base = readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8');
const wealth = '  - code: wealth_mgmt\n    name: 理财产品\n    mode: strict\n    annualAllowance: 3\n';
const PLAN_2025 = join(dir, 'plan-2025.yaml');
const PLAN_2026 = join(dir, 'plan-2026.yaml');
writeFileSync(PLAN_2025, base.replace('types:\n', `types:\n${wealth}`));
writeFileSync(PLAN_2026, base.replace(/^year: 2025$/m, 'year: 2026'));

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
let browser: Browser;
const headers = { authorization: `Bearer ${SUP}` };

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN: PLAN_2025, MONITOR_TOKENS: `${SUP}:supervisor` });
  await publishEvents(nc, [
    event('wm-1', 'WM1', { complaintType: 'wealth_mgmt', occurredAt: '2025-12-29T10:00:00+08:00' }),
    event('in-1', 'IN1', { occurredAt: '2025-12-29T11:00:00+08:00' }),
  ]);
  await waitConsumed(nc);
  await until('both cases open', async () => {
    const ids = ((await getJson(monitor, '/api/alerts?status=open', { headers })).body.alerts as Array<{ id: string }>).map((a) => a.id);
    return ids.includes('case.WM1') && ids.includes('case.IN1');
  });
  await monitor.kill();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN: PLAN_2026, DATA_DIR: monitor.dataDir, MONITOR_TOKENS: `${SUP}:supervisor` });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await closeBrowser(browser);
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('console - cases carried from the year before', () => {
  it('names a carried case of a dropped type by the year before\'s plan, and its type can be filtered on', async () => {
    const { page, errors } = await openPage(browser, `${monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    const dropped = page.locator('li[data-id="case.WM1"]');
    await dropped.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('li[data-id="case.WM1"]')?.textContent?.includes('理财产品'), undefined, { timeout: 10_000 });
    expect(await dropped.innerText()).toContain('理财产品 · 上海分行');
    const options = await page.locator('#f-type option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
    expect(options).toContainEqual(['wealth_mgmt', '理财产品']);
    expect(options).toContainEqual(['insurance_dispute', '代理保险争议']);
    await page.selectOption('#f-type', 'wealth_mgmt');
    await page.waitForFunction(() => !document.querySelector('li[data-id="case.IN1"]'), undefined, { timeout: 10_000 });
    expect(await page.locator('#list li[data-id]').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).dataset.id).filter((id) => id!.startsWith('case.')))).toEqual(['case.WM1']);
    await saveScreenshot(page, 'console-carried-dropped-type');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
