import { describe, expect, it } from 'vitest';
import { openPage, saveScreenshot } from '../helpers/browser.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents } from '../helpers/publish.ts';
import { consoleFixture, event, SUP } from './console-fixture.ts';

// Audit CB, against the real monitor: the console resolves (解除) and reopens (重开) an alert as it
// takes the other actions (F2); a level alert's pane says its cell's figures now (F1); both pages
// show the operator's DATA_NOTICE as text (F4); the console links to this week's 周复盘 (F7).

const NOTICE = '演示数据：美国CFPB公开投诉样本 <b>非本行真实投诉</b>';
const f = consoleFixture({ DATA_NOTICE: NOTICE });
const auth = { headers: { authorization: `Bearer ${SUP}` } };
const alertOf = async (id: string) => (await getJson(f.monitor, `/api/alerts/${id}`, auth)).body;

describe('console - resolve, reopen, the level now, the data notice, the weekly review', () => {
  it('shows the data notice on the console and the wall as text, and links to this week\'s review', async () => {
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#data-notice:not([hidden])', { timeout: 20_000 });
    expect(await page.evaluate(() => [document.getElementById('data-notice')!.textContent, document.querySelectorAll('#data-notice *').length])).toEqual([NOTICE, 0]);
    await page.waitForSelector('#weekly-link:not([hidden])', { timeout: 20_000 });
    const href = await page.locator('#weekly-link').getAttribute('href');
    expect(href).toMatch(new RegExp(`^/api/reports/weekly\\?week=\\d+&format=html&token=${SUP}$`));
    const review = await page.evaluate(async (h) => { const r = await fetch(h!); return [r.status, r.headers.get('content-type'), (await r.text()).includes('<html')]; }, href);
    expect(review).toEqual([200, 'text/html; charset=utf-8', true]);
    expect(errors).toEqual([]);
    const wall = await openPage(f.browser, `${f.monitor.baseUrl}/?token=${SUP}`);
    await wall.page.waitForSelector('#data-notice:not([hidden])', { timeout: 20_000 });
    expect(await wall.page.evaluate(() => [document.getElementById('data-notice')!.textContent, document.querySelectorAll('#data-notice *').length])).toEqual([NOTICE, 0]);
    await wall.page.context().close();
    await page.context().close();
  });

  it('resolves an alert from its pane, finds it again under 含已解除 and reopens it; a level alert shows its cell now', async () => {
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    await publishEvents(f.nc, [event('rr-1', 'RR-1', {}), event('rr-2', 'RR-2', {}), event('rr-3', 'RR-3', {})]);
    await page.fill('#me', '李主管');
    // the level alert of 代理保险争议 · 上海分行: its pane says the cell's figures now, as /api/counters has them
    const level = page.locator('li[data-id^="level.2025.insurance_dispute.SH."]').first();
    await level.waitFor({ timeout: 30_000 });
    await level.click();
    const cell = (await getJson(f.monitor, '/api/counters?year=2025&type=insurance_dispute&scope=SH', auth)).body.rows[0];
    await page.waitForFunction((n) => (document.getElementById('d-cell')?.textContent ?? '').includes(`未达成一致 ${n} 人`), cell.unresolvedCustomers, { timeout: 15_000 });
    expect(await page.locator('#d-cell').innerText()).toMatch(/^格子现状 cell now：未达成一致 \d+ 人 \/ 累计管控值 [\d.]+（[\d.]+%|—）· (关注|超标|严重超标|正常)$/);
    await saveScreenshot(page, 'console-level-cell-now');
    // 解除 with a note: the alert leaves the open list and the pane says it ended
    const item = page.locator('li[data-id="case.RR-1"]');
    await item.click();
    await page.fill('form[data-action="resolve"] input[name="note"]', '已在案例会上处理');
    await page.click('form[data-action="resolve"] button');
    await page.waitForSelector('#detail .ended', { timeout: 15_000 });
    expect(await page.locator('#detail .ended').innerText()).toContain('勾选「含已解除」可重开');
    expect(await item.count()).toBe(0);
    expect(await alertOf('case.RR-1')).toMatchObject({ status: 'resolved', resolution: 'manual' });
    // 含已解除 lists it again; its pane offers 重开 (and no acknowledgement)
    await page.check('#f-resolved');
    const resolved = page.locator('li[data-id="case.RR-1"][data-status="resolved"]');
    await resolved.waitFor({ timeout: 15_000 });
    await resolved.click();
    await page.waitForSelector('form[data-action="reopen"]', { timeout: 15_000 });
    expect(await page.locator('form[data-action="ack"]').count()).toBe(0);
    await page.fill('form[data-action="reopen"] input[name="note"]', '客户再次来电');
    await page.click('form[data-action="reopen"] button');
    await page.waitForFunction(() => document.querySelector('#d-status')?.textContent === '待处理', undefined, { timeout: 15_000 });
    await page.waitForSelector('form[data-action="resolve"]', { timeout: 15_000 });
    const after = await alertOf('case.RR-1');
    expect(after.status).toBe('open');
    const reopened = after.history.find((h: { what: string }) => h.what === 'reopened');
    expect(reopened).toMatchObject({ by: '李主管', detail: { note: '客户再次来电' } });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
