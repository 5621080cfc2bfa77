// The page's plain ES modules, exercised where they run: imported by a real Chromium page.
import { describe, expect, it } from 'vitest';
import { modulePage } from './module-page.ts';
import { WEEKS, makeSnapshot } from './wallboard-fixture.ts';

const { page: currentPage, withModule } = modulePage();

describe('wall-board modules', () => {
  it('socket - backoff doubles from 1 s, caps at 30 s, jitters down by at most 30%', async () => {
    const top = await withModule<number[]>('/src/socket.js', '[0, 1, 2, 3, 4, 5, 6, 20].map((a) => m.backoffDelay(a, 1000, 30000, () => 1))');
    expect(top).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    const low = await withModule<number[]>('/src/socket.js', '[0, 5].map((a) => m.backoffDelay(a, 1000, 30000, () => 0))');
    expect(low).toEqual([700, 21000]);
  });

  it('socket - ws url is same host, asks for the wall\'s snapshot form and passes the page token through', async () => {
    const url = await withModule<string[]>(
      '/src/socket.js',
      `[m.wsUrl({ protocol: 'http:', host: 'h:1', search: '?token=a b&x=1' }), m.wsUrl({ protocol: 'https:', host: 'h', search: '' })]`,
    );
    expect(url).toEqual(['ws://h:1/ws?view=wall&token=a%20b', 'wss://h/ws?view=wall']);
  });

  // Audit AS F7: the wall said 连接关闭 / closed (1006) to the monitoring room
  it('socket - says why the link ended in words, the code kept at the end', async () => {
    const text = await withModule<string[]>('/src/socket.js', `[[1006], [1001, 'server stopping'], [4401, 'unknown token'], [1011]].map(([c, r]) => m.closeText(c, r))`);
    expect(text).toEqual(['与监测服务的连接中断 / connection lost (1006)', '监测服务停止或重启 / monitor stopping or restarting (1001)', '访问被拒绝，请检查屏幕地址中的 token / access refused (unknown token)', '连接关闭 / closed (1011)']);
  });

  // Audit AU F1: ClickHouse refusing the writes left the wall green (the messages wait in flight: no lag)
  it('data quality - event writes failing for 10 s are a stall, said as the store\'s', async () => {
    const out = await withModule<unknown[]>('/src/data-quality.js', `[
      m.pipelineStalled({ consuming: true, nats: 'connected', lagMs: 0, writeFailingMs: 1500, writeError: 'x' }, 120000),
      m.pipelineStalled({ consuming: true, nats: 'connected', lagMs: 0, writeFailingMs: 10000, writeError: 'x' }, 120000),
      m.stallNote({ consuming: true, nats: 'connected', writeError: 'x' }, { pipelineNote: 'P', stallNats: 'N', stallStore: 'S', stallIdle: 'I', stallBehind: () => 'B' }),
      m.stallNote({ consuming: true, nats: 'connected', lagMs: 0, writeFailingMs: 12000, writeError: null }, { pipelineNote: 'P', stallNats: 'N', stallStore: 'S', stallIdle: 'I', stallBehind: () => 'B' }),
    ]`);
    expect(out).toEqual([false, true, 'P · S', 'P · S']); // not "behind 0 s" (verify AX1)
  });

  // a night without tickets: the ClickHouse server away, found by the presence
  it('data quality - a store not answering for 10 s is a stall, said as such', async () => {
    const T = `{ pipelineNote: 'P', stallNats: 'N', stallStore: 'S', stallStoreAway: 'A', stallIdle: 'I', stallBehind: () => 'B' }`;
    const out = await withModule<unknown[]>('/src/data-quality.js', `[
      m.pipelineStalled({ consuming: true, nats: 'connected', lagMs: 0, writeFailingMs: null, storeUnansweredMs: 4000 }, 120000),
      m.pipelineStalled({ consuming: true, nats: 'connected', lagMs: 0, writeFailingMs: null, storeUnansweredMs: 10000 }, 120000),
      m.stallNote({ consuming: true, nats: 'connected', lagMs: 0, writeFailingMs: null, storeUnansweredMs: 10000 }, ${T}),
    ]`);
    expect(out).toEqual([false, true, 'P · A']);
  });

  it('state - scope columns put sub-branches right after their parent', async () => {
    const plan = { branches: [{ code: 'C', name: 'c', parent: 'A' }, { code: 'A', name: 'a' }, { code: 'B', name: 'b' }] };
    const cols = await withModule<{ code: string; depth: number }[]>(
      '/src/state.js',
      `m.scopeColumns(${JSON.stringify(plan)}).map((c) => ({ code: c.code, depth: c.depth }))`,
    );
    expect(cols).toEqual([{ code: 'ALL', depth: 0 }, { code: 'A', depth: 0 }, { code: 'C', depth: 1 }, { code: 'B', depth: 0 }]);
  });

  it('state - the snapshot\'s alerts keep the server\'s newest-first order; the cap keeps the newest', async () => {
    // the server lists open alerts newest first (GET /api/alerts, and the /ws snapshot)
    const alerts = Array.from({ length: 60 }, (_, i) => ({ id: `a${60 - i}`, kind: 'level', level: 'watch', status: 'open' }));
    const ids = await withModule<string[]>('/src/state.js', `m.fromSnapshot({ alerts: ${JSON.stringify(alerts)} }).alerts.map((a) => a.id)`);
    expect(ids).toHaveLength(50);
    expect(ids.slice(0, 3)).toEqual(['a60', 'a59', 'a58']);
    expect(ids.at(-1)).toBe('a11');
    const live = await withModule<string[]>(
      '/src/state.js',
      `(() => { const s = m.fromSnapshot({ alerts: ${JSON.stringify(alerts.slice(0, 3))} }); m.upsertAlert(s, { type: 'alert', id: 'a59', status: 'acknowledged' }); m.upsertAlert(s, { type: 'alert', id: 'a61' }); return s.alerts.map((a) => a.id); })()`,
    );
    expect(live).toEqual(['a61', 'a59', 'a60', 'a58']);
    // an update without a history line (its burn rate moved) stays where it is
    const quiet = await withModule<Array<[string, unknown]>>(
      '/src/state.js',
      `(() => { const s = m.fromSnapshot({ alerts: ${JSON.stringify(alerts.slice(0, 3))} }); m.upsertAlert(s, { type: 'alert', id: 'a58', burn: 9, change: [] }); return s.alerts.map((a) => [a.id, a.burn]); })()`,
    );
    expect(quiet).toEqual([['a60', undefined], ['a59', undefined], ['a58', 9]]);
  });

  it('format - the charts\' month-day labels follow the board\'s language', async () => {
    const apr1 = Date.UTC(2025, 2, 31, 16) / 1000; // 1 April 00:00 in Shanghai
    const labels = await currentPage().evaluate(`Promise.all([import('/src/i18n.js'), import('/src/format.js')]).then(([i18n, format]) => {
      const zh = format.monthDay(${apr1}, 'Asia/Shanghai');
      i18n.setLang('en');
      const en = format.monthDay(${apr1}, 'Asia/Shanghai');
      i18n.setLang('zh');
      return { zh, en };
    })`);
    expect(labels).toEqual({ zh: '4月1日', en: 'Apr 1' });
  });

  it('drill - the plan order while the charts fit on a screen; beyond, the bank-wide one, then the worst first', async () => {
    const cols = ['ALL', ...Array.from({ length: 11 }, (_, i) => `B${i}`)].map((code) => ({ code }));
    const rows = { B3: { level: 'watch', ratio: 0.9 }, B5: { level: 'critical', ratio: 2 }, B8: { level: 'ok', ratio: 0.7 }, B9: { level: 'breach', ratio: 1.1 } };
    const order = await withModule<string[]>('/src/drill.js', `m.drillOrder(${JSON.stringify(cols)}, ${JSON.stringify(rows)}).map((c) => c.code)`);
    expect(order.slice(0, 6)).toEqual(['ALL', 'B5', 'B9', 'B3', 'B8', 'B0']);
    const few = await withModule<string[]>('/src/drill.js', `m.drillOrder(${JSON.stringify(cols.slice(0, 6))}, ${JSON.stringify(rows)}).map((c) => c.code)`);
    expect(few).toEqual(['ALL', 'B0', 'B1', 'B2', 'B3', 'B4']);
  });

  it('panels - every type while four fit; beyond, the worst four by their bank-wide level and ratio', async () => {
    const all = (level: string, ratio: number) => ({ ALL: { level, ratio } });
    const counters = { a: all('ok', 0.2), b: all('watch', 0.85), c: all('ok', 0.5), d: all('critical', 2), e: all('ok', 0.6), f: all('breach', 1.1) };
    const pick = (codes: string[]) => withModule<string[]>('/src/grid-columns.js', `m.pickPanels(${JSON.stringify(codes)}, ${JSON.stringify(counters)})`);
    expect(await pick(['a', 'b', 'c', 'd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(await pick(['a', 'b', 'c', 'd', 'e', 'f'])).toEqual(['d', 'f', 'b', 'e']);
  });

  it('state - week lookup uses plan weeks, falls back to week ends, -1 outside the year', async () => {
    const snap = makeSnapshot();
    const series = snap.series.mortgage_prepayment!;
    const w = WEEKS[10]!;
    const probes = [w.startMs, w.endMs - 1, w.endMs, WEEKS[0]!.startMs - 1, WEEKS[WEEKS.length - 1]!.endMs];
    const run = (plan: unknown) =>
      withModule<number[]>(
        '/src/state.js',
        `${JSON.stringify(probes)}.map((t) => m.weekIndexAt({ plan: ${JSON.stringify(plan)} }, ${JSON.stringify(series)}, t))`,
      );
    expect(await run(snap.plan)).toEqual([10, 10, 11, -1, -1]);
    // Week ends alone cannot place the year's start exactly; inside the year they agree.
    expect((await run({ ...snap.plan, weeks: undefined })).filter((_, i) => i !== 3)).toEqual([10, 10, 11, -1]);
  });

  it('state - a counter for ALL carries the curve forward across silent weeks', async () => {
    const snap = makeSnapshot();
    const asOf = '2025-04-02T12:00:00+08:00'; // three weeks after the snapshot's week
    const actual = await withModule<(number | null)[]>(
      '/src/state.js',
      `(() => { const s = m.fromSnapshot(${JSON.stringify(snap)});
        m.applyCounter(s, { type: 'counter', asOf: '${asOf}', complaintType: 'mortgage_prepayment', scope: 'ALL',
          unresolvedCustomers: 14, firstContactCustomers: 60, oneTimeResolutionRate: 0.77, allowanceToDate: 20,
          annualAllowance: 80, ratio: 0.7, level: 'ok' });
        return s.series.mortgage_prepayment.actual.slice(9, 16); })()`,
    );
    expect(actual).toEqual([11, 12, 12, 12, 14, null, null]);
  });

  it('redraw - without animation frames (a hidden page) every message still reaches the state; one frame draws them all', async () => {
    const r = await currentPage().evaluate(`Promise.all([import('/src/redraw.js'), import('/src/state.js')]).then(([m, s]) => {
      const queued = [];
      let draws = 0;
      const frame = m.frameScheduler(() => draws++, (cb) => queued.push(cb));
      const state = s.emptyState(), dirty = m.newDirty();
      for (let i = 1; i <= 300; i++) {
        m.applyMessage(state, { type: 'counter', seq: i, asOf: '2025-03-14T10:00:00+08:00', complaintType: 't' + (i % 3), scope: i % 2 ? 'ALL' : 'B1', unresolvedCustomers: i, level: 'ok' }, dirty);
        frame.request();
      }
      const held = { queued: queued.length, draws, t0: state.counters.t0.ALL.unresolvedCustomers, cells: dirty.cells.size, panels: [...dirty.panels].sort() };
      queued.shift()(0);
      return { held, draws, pending: frame.pending, again: (frame.request(), queued.length) };
    })`);
    expect(r).toEqual({ held: { queued: 1, draws: 0, t0: 297, cells: 6, panels: ['t0', 't1', 't2'] }, draws: 1, pending: false, again: 1 });
  });

  it('backlog - a heartbeat processed late says how far behind the page is; a change made just now says it caught up', async () => {
    const steps = await withModule<number[]>('/src/backlog.js', `(() => {
      const at = (ms) => new Date(ms).toISOString();
      let b = m.emptyBacklog();
      const out = [];
      const step = (msg, localMs) => { b = m.backlogStep(b, msg, localMs); out.push(Math.round(b.lagMs)); };
      step({ type: 'snapshot', asOf: at(1_000_000) }, 5_000);         // the server's clock is 995 s ahead
      step({ type: 'heartbeat', asOf: at(1_001_000) }, 6_000);        // on time: 0
      step({ type: 'heartbeat', asOf: at(1_002_000) }, 17_000);       // sent 10 s before it was read
      step({ type: 'counter', asOf: at(1_001_900) }, 17_001);         // an older change says nothing new
      step({ type: 'heartbeat', asOf: 'not a time' }, 17_002);        // nor does a bad time
      step({ type: 'counter', asOf: at(1_011_990) }, 17_003);         // made 13 ms ago: caught up
      step({ type: 'heartbeat', asOf: at(1_030_000) }, 18_000);       // a server clock ahead is no lag
      step({ type: 'heartbeat', asOf: at(1_030_000) }, 58_000);       // 40 s in the backlog
      step({ type: 'resume', asOf: at(2_000_000) }, 60_000);          // a new connection: the offset again
      return out;
    })()`);
    expect(steps).toEqual([0, 0, 10_000, 10_000, 10_000, 13, 0, 40_000, 0]);
  });

  it('link view - live, behind by seconds (said, not greyed), behind like a stalled pipeline (greyed), stalled, down', async () => {
    const views = await currentPage().evaluate(`Promise.all([import('/src/link-view.js'), import('/src/i18n.js')]).then(([m, i]) => {
      const f = (status, lagMs, pipelineStale = false) => ({ status, lagMs, pipelineStale, hasPicture: true, staleMs: 120000 });
      const pick = (v) => [v.pill, v.pillText, v.fresh, v.banner, v.banner ? v.bannerTitle : ''];
      return [
        [...pick(m.linkView(f('live', 400), i.T)), m.lagText(f('live', 400), { lagMs: 0 }, i.T)],
        [...pick(m.linkView(f('live', 30400), i.T)), m.lagText(f('live', 30400), { lagMs: 0 }, i.T)],
        [...pick(m.linkView(f('live', 185000), i.T)), m.lagText(f('live', 185000), { lagMs: 0 }, i.T)],
        [...pick(m.linkView(f('live', 30400, true), i.T)), m.lagText(f('live', 0, true), { lagMs: 300000 }, i.T)],
        [...pick(m.linkView(f('disconnected', 30400), i.T)), m.lagText(f('disconnected', 30400), { lagMs: 0 }, i.T)],
      ];
    })`);
    expect(views).toEqual([
      ['live', '● 实时', true, false, '', '延迟 0 s'],
      ['behind', '⚠ 画面滞后 30 s', true, false, '', '画面滞后 30 s'],
      ['behind', '⚠ 画面滞后 3 min', false, true, '画面滞后 3 min', '画面滞后 3 min'],
      ['stalled', '⚠ 数据管道停滞', false, true, '数据管道停滞', '延迟 5 min'],
      ['disconnected', '✕ 连接中断', false, true, '连接中断', '延迟未知'],
    ]);
  });

  it('fit - landscape screens get the 1920×1080 layout scaled to fit; one stood on its side the 1080×1920 one', async () => {
    const z = await withModule<number[]>('/src/fit.js', '[[1920, 1080], [3840, 2160], [1366, 768], [1080, 1920], [768, 1366], [2160, 3840], [1280, 1024]].map(([w, h]) => +m.fitZoom(w, h).toFixed(4))');
    expect(z).toEqual([1, 1, 0.7111, 1, 0.7111, 1, 0.6667]);
  });
});
