// The console's words for what the server sends as codes, and its banners, where they run: the
// modules imported by a real Chromium page (the fake wall-board server serves web/).
import { describe, expect, it } from 'vitest';
import { modulePage } from './module-page.ts';

const { withModule } = modulePage();

const LADDER = { levels: [{ notify: ['值班主管'], afterMinutes: 15 }, { notify: ['消保部负责人'], afterMinutes: 30 }], repeat: 1 };
const ctx = `({ typeName: (c) => c, scopeName: (c) => c, at: (ms) => new Date(ms).toISOString().slice(11, 16) + 'Z', ladder: ${JSON.stringify(LADDER)},
  mayAct: true, readOnlyNote: '', reasons: [], typeOptions: () => '', notice: '' })`;
const atLastLevel = {
  id: 'case.W1', kind: 'case', complaintType: 'insurance_dispute', scope: 'SH', level: 'critical', urgency: 'overdue', status: 'open',
  openedAt: '2026-11-01T09:00:00.000+08:00', ticketId: 'W1', onCall: { level: 2, round: 0, since: '2026-11-27T14:35:00.000+08:00', notify: ['消保部负责人'] },
  history: [{ at: '2026-11-01T09:00:00.000+08:00', what: 'opened', level: 'watch' }],
};

describe('console words and banners', () => {
  // Audit AS F4, F5: the rules' causes were shown as English codes; a row said 值班第2级 … 升第1级
  it('the rules\' causes in Chinese; a climb past the last level names its round', async () => {
    const words = await withModule<string[]>('/console/words.js', `['late event', 'plan changed', 're-derived at start', 'correction e1, e2', 'investigating', 'my_code',
      'the acknowledgement given at breach stands again: what cleared it was taken back (correction K1-3)'].map(m.reasonText)`);
    expect(words).toEqual(['迟到事件补入', '管控计划调整', '监测重启后重算', '工单更正 e1, e2', '调查中', 'my_code', '超标时的确认重新生效：使其失效的变化已撤回（工单更正 K1-3）']);
    const row = await withModule<string>('/console/alert-view.js', `m.listRowHtml(${JSON.stringify(atLastLevel)}, ${ctx})`);
    expect(row).toMatch(/值班第2级<span class="climb">，\S+ 升第1级（第2轮）<\/span>/);
  });

  // Audit AS F7: a restart that set a runtime plan change aside was said in /api/health and the log only
  it('a plan change a restart set aside, in words a supervisor acts on', async () => {
    const text = await withModule<string[]>('/console/banners.js', `(() => {
      for (const id of ['store-banner', 'plan-banner', 'notice-banner', 'log-banner']) document.body.append(Object.assign(document.createElement('div'), { id }));
      const banner = document.getElementById('plan-banner');
      return ['the 2025 plan was changed at runtime …', 'the plan change of … is in force but not yet recorded in ClickHouse …', null]
        .map((w) => (m.showPipelineBanners({ planFileWarning: w }), banner.hidden ? '' : banner.textContent));
    })()`);
    expect(text[0]).toMatch(/^监测重启时载入了 PLAN 计划文件，此前的运行时计划调整已不再生效.* · the 2025 plan was changed at runtime …$/);
    expect(text[1]).toMatch(/^管控计划调整已生效，但其记录尚未写入 ClickHouse/);
    expect(text[2]).toBe('');
  });

  // Verify AV3: the console said 实时 live with no banner while ClickHouse refused the event writes
  it('event writes failing for 10 s are said; a single failed write is not', async () => {
    const text = await withModule<string[]>('/console/banners.js', `(() => {
      for (const id of ['store-banner', 'plan-banner', 'notice-banner', 'log-banner']) if (!document.getElementById(id)) document.body.append(Object.assign(document.createElement('div'), { id }));
      const banner = document.getElementById('store-banner');
      return [1500, 12000, null].map((ms) => (m.showPipelineBanners({ writeFailingMs: ms, writeError: 'connect ECONNREFUSED' }), banner.hidden ? '' : banner.textContent));
    })()`);
    expect(text[0]).toBe('');
    expect(text[1]).toMatch(/^新工单暂未入库（ClickHouse 拒绝写入，自动重试中）.* \(connect ECONNREFUSED\)$/);
    expect(text[2]).toBe('');
  });

  // a night without tickets: the store away, found by the presence; no write fails to say it
  it('a store not answering for 10 s is said; the write failure, when there is one, is said instead', async () => {
    const text = await withModule<string[]>('/console/banners.js', `(() => {
      for (const id of ['store-banner', 'plan-banner', 'notice-banner', 'log-banner']) if (!document.getElementById(id)) document.body.append(Object.assign(document.createElement('div'), { id }));
      const banner = document.getElementById('store-banner');
      return [[null, 4000], [null, 12000], [12000, 12000]].map(([w, a]) => (m.showPipelineBanners({ writeFailingMs: w, storeUnansweredMs: a }), banner.hidden ? '' : banner.textContent));
    })()`);
    expect(text[0]).toBe('');
    expect(text[1]).toMatch(/^ClickHouse 无应答（自动重试中）：此后到达的新工单暂不能入库/);
    expect(text[2]).toMatch(/^新工单暂未入库（ClickHouse 拒绝写入/);
  });
});
