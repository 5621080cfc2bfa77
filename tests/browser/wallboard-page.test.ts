import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeBrowser, launchBrowser, openPage, saveScreenshot } from '../helpers/browser.ts';
import { startFakeWallboardServer, type FakeWallboardServer } from '../helpers/fake-wallboard-server.ts';
import { AS_OF, SCOPES, UNRESOLVED, counterRow, makeSnapshot, types, weekIndexAt } from './wallboard-fixture.ts';

const MORTGAGE = 'mortgage_prepayment';
const cell = (type: string, scope: string) => `td.cell[data-type="${type}"][data-scope="${scope}"]`;

let server: FakeWallboardServer;
let browser: Browser;
let page: Page;
let errors: string[];

const board = <T>(fn: string): Promise<T> => page.evaluate(`(() => { const w = window.__wallboard; return ${fn}; })()`) as Promise<T>;
const waitBoard = (cond: string, timeout = 5000) =>
  page.waitForFunction(`(() => { const w = window.__wallboard; return !!w && (${cond}); })()`, undefined, { timeout });
const text = (selector: string) => page.locator(selector).first().innerText();

function counterMsg(type: string, scope: string, unresolved: number, asOf = AS_OF) {
  return { type: 'counter', asOf, ...counterRow(type, scope, unresolved, asOf) };
}

beforeAll(async () => {
  server = await startFakeWallboardServer(makeSnapshot());
  browser = await launchBrowser();
  ({ page, errors } = await openPage(browser, `${server.url}/?token=viewer-token`));
  await waitBoard('w.connected && w.state.plan');
});

afterAll(async () => {
  await closeBrowser(browser);
  await server?.close();
});

describe('wall-board page', () => {
  it('wallboard - connects to /ws with the page token and applies the snapshot', async () => {
    expect(server.tokens).toEqual(['viewer-token']);
    expect(await board('w.lastSeq')).toBe(server.seq);
    expect(await page.locator('#conn').getAttribute('data-status')).toBe('live');
    expect(await page.locator('#conn-banner').isHidden()).toBe(true);
    expect(await text('#as-of')).toBe('2025-03-14 10:00:00');
    expect(await text('#tz')).toContain('Asia/Shanghai');
  });

  it('wallboard - grid cells show the snapshot counters and levels', async () => {
    const snap = makeSnapshot();
    expect(await page.locator('td.cell').count()).toBe(types.length * SCOPES.length);
    const heads = await page.locator('#grid thead th.scope').evaluateAll((ths) => ths.map((t) => t.getAttribute('data-scope')));
    expect(heads).toEqual(SCOPES);
    for (const row of snap.counters) {
      const td = page.locator(cell(row.complaintType, row.scope));
      expect(await td.getAttribute('data-level')).toBe(row.level);
      expect(await td.locator('.unresolved').innerText()).toBe(String(row.unresolvedCustomers));
      expect(await td.locator('.allowance').innerText()).toBe(row.allowanceToDate.toFixed(1));
      expect(await td.locator('.ratio').innerText()).toBe(`${((row.ratio ?? 0) * 100).toFixed(1)}%`);
    }
    const levels = new Set(snap.counters.map((r) => r.level));
    expect(levels).toEqual(new Set(['ok', 'watch', 'breach', 'critical']));
    const bg = (sel: string) => page.locator(sel).first().evaluate((e) => getComputedStyle(e).backgroundColor);
    const ok = await bg(`td.cell[data-level="ok"]`);
    expect(await bg(`td.cell[data-level="breach"]`)).not.toBe(ok);
    expect(await bg(`td.cell[data-level="critical"]`)).not.toBe(ok);
    expect(await page.locator('td.cell[data-level=critical]').first().evaluate((e) => getComputedStyle(e).animationName + getComputedStyle(e, '::after').animationName)).toBe('nonenone');
  });

  it('wallboard - headline shows one-time resolution rate and YTD vs allowance per type', async () => {
    for (const t of types) {
      const row = counterRow(t.code, 'ALL', UNRESOLVED[t.code]!.ALL!);
      const panel = `.panel[data-type="${t.code}"]`;
      expect(await text(`${panel} .otr-rate`)).toBe(`${(row.oneTimeResolutionRate! * 100).toFixed(1)}%`);
      expect(await text(`${panel} .ytd-unresolved`)).toBe(String(row.unresolvedCustomers));
      expect(await text(`${panel} .ytd-allowance`)).toBe(row.allowanceToDate.toFixed(1));
    }
    const strict = page.locator('.panel[data-mode="strict"]');
    expect(await strict.getAttribute('data-type')).toBe('insurance_dispute');
    expect(await strict.innerText()).toContain('强干预');
    expect(await page.locator('#grid tr.strict .strict-tag').innerText()).toBe('强干预');
  });

  it('wallboard - one non-blank uPlot chart per type', async () => {
    expect(await page.locator('.panel .chart canvas').count()).toBe(types.length);
    const inked = await page.locator('.panel .chart canvas').evaluateAll((cs) =>
      (cs as HTMLCanvasElement[]).map((c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return { n, w: c.width, h: c.height };
      }),
    );
    for (const c of inked) {
      expect(c.w).toBeGreaterThan(300);
      expect(c.h).toBeGreaterThan(150);
      expect(c.n).toBeGreaterThan(2000);
    }
  });

  it('wallboard - a counter message updates its cell, level colour, headline and chart in place', async () => {
    await page.evaluate(() => {
      document.querySelectorAll('.panel .chart canvas').forEach((c) => ((c as any).__marker = true));
    });
    const td = page.locator(cell(MORTGAGE, 'ALL'));
    const before = await td.evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(await td.getAttribute('data-level')).toBe('ok');

    const msg = counterMsg(MORTGAGE, 'ALL', 17);
    expect(msg.level).toBe('breach');
    const seq = server.send(msg);
    await waitBoard(`w.shownSeq === ${seq}`);
    expect(await td.getAttribute('data-level')).toBe('breach');
    expect(await td.locator('.unresolved').innerText()).toBe('17');
    expect(await td.evaluate((e) => getComputedStyle(e).backgroundColor)).not.toBe(before);
    expect(await text(`.panel[data-type="${MORTGAGE}"] .ytd-unresolved`)).toBe('17');

    const k = weekIndexAt(Date.parse(AS_OF));
    expect(await board(`w.state.series.${MORTGAGE}.actual[${k}]`)).toBe(17);

    // Next week: the actual curve extends by one week, allowanceToDate steps up.
    const next = '2025-03-17T09:30:00+08:00';
    const seq2 = server.send(counterMsg(MORTGAGE, 'ALL', 18, next));
    await waitBoard(`w.shownSeq === ${seq2}`);
    expect(await board(`w.state.series.${MORTGAGE}.actual.slice(${k}, ${k + 3})`)).toEqual([17, 18, null]);
    expect(await td.locator('.allowance').innerText()).toBe(counterRow(MORTGAGE, 'ALL', 18, next).allowanceToDate.toFixed(1));
    expect(await text('#as-of')).toBe('2025-03-17 09:30:00');

    // A branch cell changes alone.
    const seq3 = server.send(counterMsg(MORTGAGE, 'SH', 6));
    await waitBoard(`w.shownSeq === ${seq3}`);
    expect(await page.locator(cell(MORTGAGE, 'SH')).getAttribute('data-level')).toBe('breach');
    expect(await page.locator(cell(MORTGAGE, 'SH')).locator('.unresolved').innerText()).toBe('6');

    const kept = await page.locator('.panel .chart canvas').evaluateAll((cs) => cs.every((c) => (c as any).__marker === true));
    expect(kept).toBe(true);
  });

  it('wallboard - alerts are listed in the ticker and strict cases counted', async () => {
    const seq = server.send({
      type: 'alert', id: 'case-1', kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD',
      level: 'critical', status: 'open', openedAt: '2025-03-14T09:12:00+08:00', ticketId: 'T-1001', history: [],
    });
    await waitBoard(`w.shownSeq === ${seq}`);
    const li = page.locator('#alerts li[data-alert-id="case-1"]');
    expect(await li.innerText()).toMatch(/代理保险争议 · 海淀支行[\s\S]*严重超标/);
    expect(await text('.panel[data-type="insurance_dispute"] .open-cases')).toBe('1');
    // what the alert is about is read from across the room: never cut short at 1920×1080
    const what = await li.locator('.a-what').evaluate((e) => ({ text: e.textContent, cut: e.scrollWidth > e.clientWidth }));
    expect(what).toEqual({ text: '代理保险争议 · 海淀支行', cut: false });
  });

  it('wallboard - fits 1920×1080 and renders Chinese glyphs with a CJK font', async () => {
    const size = await page.evaluate(() => ({
      h: document.documentElement.scrollHeight,
      w: document.documentElement.scrollWidth,
      gridBottom: document.getElementById('grid')!.getBoundingClientRect().bottom,
    }));
    expect(size.h).toBeLessThanOrEqual(1080);
    expect(size.w).toBeLessThanOrEqual(1920);
    expect(size.gridBottom).toBeLessThanOrEqual(1080);
    expect(await page.locator('#plan-ended').isVisible()).toBe(false); // the snapshot's time is inside its plan year
    // the year's allowance closes each chart's legend: the keys give way to it, it is never cut off
    const annuals = await page.evaluate(() =>
      [...document.querySelectorAll('.panel .legend')].map((legend) => {
        const value = legend.querySelector('.annual')!;
        const cut = [...legend.querySelectorAll<HTMLElement>('.key')].filter((k) => k.scrollWidth > k.clientWidth).map((k) => k.textContent);
        return { text: value.textContent, right: value.getBoundingClientRect().right, edge: legend.getBoundingClientRect().right, cut };
      }),
    );
    expect(annuals.length).toBeGreaterThan(0);
    for (const a of annuals) {
      expect(a.right, `annual allowance ${a.text}`).toBeLessThanOrEqual(a.edge + 0.5);
      expect(a.cut, 'legend keys cut short at 1920×1080').toEqual([]);
    }

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const fontsOf = async (selector: string) => {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      return fonts.map((f) => f.familyName);
    };
    expect((await fontsOf('#topbar h1')).join()).toMatch(/WenQuanYi|Noto Sans CJK/);
    expect((await fontsOf(`th[data-scope="BJ-HD"] .scope-name`)).join()).toMatch(/WenQuanYi|Noto Sans CJK/);
    await cdp.detach();

    console.log('screenshot:', await saveScreenshot(page, 'wallboard-live'));
    expect(errors).toEqual([]);
  });

  it('wallboard - a seq gap makes the page resync from a new snapshot', async () => {
    const before = server.connections;
    server.sendRaw({ type: 'counter', seq: server.seq + 5, asOf: AS_OF, ...counterRow(MORTGAGE, 'GZ', 9) });
    await server.waitForConnections(before + 1);
    await waitBoard(`w.connected && w.lastSeq === ${server.seq}`);
    // The gapped message was not applied; the new snapshot's values are shown.
    expect(await page.locator(cell(MORTGAGE, 'GZ')).locator('.unresolved').innerText()).toBe('1');
    expect(await page.locator(cell(MORTGAGE, 'ALL')).locator('.unresolved').innerText()).toBe('12');
  });

  it('wallboard - a stalled pipeline says so and which part failed, and clears when it moves again', async () => {
    // stamped now, as the server does: a heartbeat carries its time of sending
    const beat = (pipeline: Record<string, unknown>) => server.send({ type: 'heartbeat', asOf: new Date().toISOString(), heartbeatMs: 5000, pipeline });
    const stalls: Array<[Record<string, unknown>, string]> = [
      [{ nats: 'connected', lagMs: 300_000, writeError: 'connect ECONNREFUSED 10.0.0.7:8123' }, 'ClickHouse 写入失败'],
      [{ nats: 'reconnecting', lagMs: 310_000 }, 'NATS 消息服务连接中断'],
      [{ nats: 'connected', lagMs: 320_000 }, '处理落后 5 min'],
    ];
    for (const [p, words] of stalls) {
      beat({ consuming: true, pending: 4000, writeError: null, ...p });
      await page.waitForSelector('#conn-banner:not([hidden])', { timeout: 5000 });
      await page.waitForFunction((w) => document.getElementById('conn-detail')!.textContent!.includes(w), words, { timeout: 3000 });
    }
    expect(await page.locator('#conn').getAttribute('data-status')).toBe('stalled');
    expect(await text('#banner-title')).toBe('数据管道停滞');
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-pipeline-stalled'));
    beat({ consuming: true, nats: 'connected', pending: 0, lagMs: 0, writeError: null });
    await page.waitForSelector('#conn-banner[hidden]', { state: 'attached', timeout: 5000 });
    expect(await page.locator('#conn').getAttribute('data-status')).toBe('live');
  });

  it('wallboard - server close shows the disconnected state, then reconnects to the new snapshot', async () => {
    server.setAccepting(false);
    const before = server.connections;
    server.dropClients();
    await waitBoard('!w.connected', 3000);
    await page.waitForSelector('#conn-banner:not([hidden])', { timeout: 3000 });
    expect(await text('#conn-banner')).toContain('连接中断');
    expect(await page.locator('#conn').getAttribute('data-status')).toBe('disconnected');
    expect(await page.evaluate(() => document.body.classList.contains('stale'))).toBe(true);
    expect(await page.locator('main').evaluate((e) => getComputedStyle(e).filter)).toContain('grayscale');
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-disconnected'));

    const changed = structuredClone(UNRESOLVED);
    changed[MORTGAGE]!.ALL = 20;
    server.setSnapshot(makeSnapshot(changed));
    server.setAccepting(true);
    await server.waitForConnections(before + 1, 15_000);
    await waitBoard('w.connected', 10_000);
    expect(await page.locator('#conn-banner').isHidden()).toBe(true);
    const td = page.locator(cell(MORTGAGE, 'ALL'));
    expect(await td.locator('.unresolved').innerText()).toBe('20');
    expect(await td.getAttribute('data-level')).toBe(counterRow(MORTGAGE, 'ALL', 20).level);
    expect(await page.evaluate(() => document.body.classList.contains('stale'))).toBe(false);
  });
});
