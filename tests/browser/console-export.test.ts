import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage } from '../helpers/browser.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents } from '../helpers/publish.ts';
import { BJ_SUP, consoleFixture, event, SUP } from './console-fixture.ts';

// Verify CL4, against the real monitor: the console's 导出 CSV always asked status=open, whatever
// 含已解除 and 现级别 said, so a case meeting's papers (mostly resolved cases, who acknowledged them
// and when) could not be exported from the console; nor did it follow 只看我的机构. The export holds
// what the list shows.

const f = consoleFixture();

/** The ids the list shows and those of the CSV its 导出 CSV link gives, in the page. */
async function listAndExport(page: Page): Promise<{ listed: string[]; exported: string[]; href: string }> {
  return page.evaluate(async () => {
    const href = document.getElementById('export')!.getAttribute('href')!;
    const csv = await (await fetch(href)).text();
    const exported = csv.replace(/^\uFEFF/, '').split('\r\n').slice(1).filter(Boolean).map((l) => l.split(',')[0]!).sort();
    const listed = [...document.querySelectorAll('#list li[data-id]')].map((li) => li.getAttribute('data-id')!).sort();
    return { listed, exported, href };
  });
}

describe('console - 导出 CSV exports what the list shows', () => {
  it('with 含已解除, with 现级别, and for a supervisor of some branches 只看我的机构', async () => {
    await publishEvents(f.nc, [event('ex-1', 'EX-1', {}), event('ex-2', 'EX-2', {}), event('ex-3', 'EX-3', { branch: 'BJ-HD' })]);
    const auth = { headers: { authorization: `Bearer ${SUP}` } };
    // the three cases and the cells' level alerts are in; one case is resolved by hand
    await expect.poll(async () => (await getJson(f.monitor, '/api/alerts?kind=case', auth)).body.total, { timeout: 30_000 }).toBe(3);
    const resolve = await fetch(`${f.monitor.baseUrl}/api/alerts/case.EX-1/resolve`, {
      method: 'POST', headers: { ...auth.headers, 'content-type': 'application/json' }, body: JSON.stringify({ by: '李主管', note: '已在案例会上处理' }),
    });
    expect(resolve.status).toBe(200);

    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    await page.waitForSelector('li[data-id="case.EX-2"]', { timeout: 20_000 });
    const open = await listAndExport(page);
    expect(open.listed).not.toContain('case.EX-1');
    expect(open.exported).toEqual(open.listed);

    // 含已解除: the resolved case is listed, and exported with the rest
    await page.check('#f-resolved');
    await page.waitForSelector('li[data-id="case.EX-1"][data-status="resolved"]', { timeout: 15_000 });
    const resolved = await listAndExport(page);
    expect(resolved.listed).toContain('case.EX-1');
    expect(resolved.exported).toEqual(resolved.listed);
    expect(resolved.href).toContain('status=existing');

    // 现级别: a level the list narrows to, and the export with it
    const nows = await page.evaluate(() => [...document.querySelectorAll('#list li[data-id]')].length);
    await page.selectOption('#f-now', 'critical');
    await page.waitForFunction((n) => document.querySelectorAll('#list li[data-id]').length < n, nows, { timeout: 10_000 });
    const critical = await listAndExport(page);
    expect(critical.exported).toEqual(critical.listed);
    expect(critical.href).toContain('currentLevel=critical');
    expect(errors).toEqual([]);
    await page.context().close();

    // a supervisor of 北京分行: the list shows BJ's alerts (only mine, by default), the export as well
    const bj = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${BJ_SUP}`, { width: 1366, height: 800 });
    await bj.page.waitForSelector('li[data-id="case.EX-3"]', { timeout: 20_000 });
    await bj.page.waitForSelector('#mine-box:not([hidden])', { timeout: 10_000 });
    const mine = await listAndExport(bj.page);
    expect(mine.listed).not.toContain('case.EX-2');
    expect(mine.exported).toEqual(mine.listed);
    expect(mine.href).toContain('mine=1');
    // the box cleared: every branch's, in the list and the export
    await bj.page.uncheck('#f-mine');
    await bj.page.waitForSelector('li[data-id="case.EX-2"]', { timeout: 10_000 });
    const every = await listAndExport(bj.page);
    expect(every.exported).toEqual(every.listed);
    expect(bj.errors).toEqual([]);
    await bj.page.context().close();
  });
});
