import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { openPage } from '../helpers/browser.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { consoleFixture, event, SUP } from './console-fixture.ts';

// Verify AK K4: after an action answered 503 ALERT_LOG_UNAVAILABLE (ClickHouse refusing the
// alert log), the console said "not stored yet" and kept saying it after the monitor had written
// the kept rows. It now says so once they are in (server mode: the ClickHouse stand-in killed and
// started again).

const env: Record<string, string> = {};
let ch: TestClickHouseHttp;
beforeAll(async () => {
  ch = await startClickHouseHttp();
  Object.assign(env, { CLICKHOUSE_URL: ch.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password });
}, 60_000);
const f = consoleFixture(env); // its beforeAll runs after the one above, and reads env then
afterAll(async () => {
  await ch?.cleanup();
});

describe('console - an action the alert log could not store yet', () => {
  it('says it is kept and not stored, then that it is stored once ClickHouse is back', async () => {
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    await publishEvents(f.nc, [event('ls-1', 'CON-LS', {})]);
    await waitConsumed(f.nc);
    const item = page.locator('li[data-id="case.CON-LS"]');
    await item.waitFor({ timeout: 30_000 });
    await page.fill('#me', '王主管');
    await item.click();

    await ch.kill();
    await page.click('form[data-action="ack"] button');
    const shown = () => page.locator('#d-error').innerText();
    await page.waitForFunction(() => /尚未存档/.test(document.querySelector('#d-error')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await shown()).toMatch(/已暂存于监测本机磁盘，重启后仍会写入/);

    // every console says so, also one opened after the action (its answer went to the first one only)
    const other = (await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 })).page;
    for (const p of [page, other]) {
      await p.waitForFunction(() => /尚未存档/.test(document.querySelector('#log-banner:not([hidden])')?.textContent ?? ''), undefined, { timeout: 30_000 });
    }
    expect(await other.locator('#log-banner').innerText()).toMatch(/已暂存于监测本机磁盘/);

    await ch.start();
    await page.waitForFunction(() => /已存档/.test(document.querySelector('#d-error')?.textContent ?? ''), undefined, { timeout: 60_000 });
    for (const p of [page, other]) await p.waitForSelector('#log-banner', { state: 'hidden', timeout: 30_000 });
    expect(await shown()).not.toMatch(/尚未存档/);
    expect(await page.locator('li[data-id="case.CON-LS"]').innerText()).toMatch(/已确认|acknowledged/i);
    expect(errors.filter((e) => !/status of 503/.test(e))).toEqual([]);
  }, 120_000);
  // An upgrade audit: consoles left open across an upgrade ran the earlier version's scripts.
  it('says the monitor was upgraded when a snapshot names another web build than the page came with', async () => {
    const { page } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    expect(await page.locator('#upgrade-banner').isHidden()).toBe(true);
    // the page's own module instance, as its /ws handler calls it (a string: vitest would rewrite import())
    const note = (build: string) => page.evaluate(`import('/console/banners.js').then((m) => m.noteBuild(${JSON.stringify(build)}))`);
    const own = await page.locator('meta[name="web-build"]').getAttribute('content');
    expect(own).toMatch(/^[0-9a-f]{12}$/);
    await note('an-earlier-build');
    await page.waitForSelector('#upgrade-banner:not([hidden])', { timeout: 5_000 });
    expect(await page.locator('#upgrade-banner').innerText()).toMatch(/监测程序已更换版本：请刷新本页/);
    await note(own!); // the link is back on the page's own version (verify AQ N4: the banner stayed)
    await page.waitForSelector('#upgrade-banner', { state: 'hidden', timeout: 5_000 });
  }, 60_000);
});
