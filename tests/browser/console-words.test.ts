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

  // Audit CH5: a level rise read 升级 (docs: 升级 is not used), the ladder's step 上报 · on-call policy like a
  // person's 上报, a re-figuring on the ticket's own new events 更正 · 新事件 like a person's correction
  it('the history: 级别升至…, the ladder\'s step by the duty rules, a complaint\'s own ladder, data re-figured by new events', async () => {
    const lines = await withModule<string[]>('/console/alert-view.js', `(() => {
      const d = document.createElement('ol');
      d.innerHTML = [
        { at: '2026-11-28T02:30:00+08:00', what: 'raised', level: 'breach' },
        { at: '2026-11-28T11:36:03+08:00', what: 'escalated', by: 'on-call policy', reason: 'not acknowledged in time', detail: { onCallLevel: 2, round: 0, notify: ['消保部负责人', 'role:admin'] } },
        { at: '2026-11-28T11:37:03+08:00', what: 'escalated', by: 'on-call policy', reason: 'not acknowledged in time', detail: { onCallLevel: 1, round: 1, notify: ['值班主管'] } },
        { at: '2026-11-28T11:38:00+08:00', what: 'escalated', by: '王主管', detail: { onCallLevel: 2, note: '需负责人决定' } },
        { at: '2026-11-28T11:39:00+08:00', what: 'case-escalated', detail: { escalation: 'mediation' } },
        { at: '2026-11-28T11:40:00+08:00', what: 'amended', reason: 'events' },
        { at: '2026-11-28T11:41:00+08:00', what: 'amended', reason: 'correction e-7' },
      ].map((h) => m.historyLineHtml(h, 'level')).join('');
      return [...d.children].map((li) => li.textContent);
    })()`);
    expect(lines).toEqual([
      '11-28 02:30 级别升至超标',
      '11-28 11:36 超时未确认，自动呼叫值班第2级：消保部负责人、全体管理员 · 值班规则',
      '11-28 11:37 超时未确认，自动呼叫值班第1级（第2轮）：值班主管 · 值班规则',
      '11-28 11:38 上报 → 值班第2级 · 王主管 · 备注：需负责人决定',
      '11-28 11:39 工单提交三方调解',
      '11-28 11:40 数据更新 · 依新事件重算',
      '11-28 11:41 数据更新 · 工单更正 e-7',
    ]);
    expect(lines.join()).not.toMatch(/升级|on-call policy|更正 · 新事件/);
  });

  // Verify CL2: a rule's re-open read `重开 · level rose to breach` / `重开 · case-escalated p-2`, the
  // engine's reason untranslated; CL6: a case has no 级别, it went stale or overdue
  it('the history: a rule\'s re-open says why in Chinese, a case\'s as its urgency', async () => {
    const lines = await withModule<string[]>('/console/alert-view.js', `(() => {
      const d = document.createElement('ol');
      const line = (reason) => ({ at: '2026-11-28T12:17:00+08:00', what: 'reopened', reason });
      d.innerHTML = [
        m.historyLineHtml(line('level rose to breach'), 'case'),
        m.historyLineHtml(line('level rose to critical'), 'case'),
        m.historyLineHtml(line('level rose to critical'), 'level'),
        m.historyLineHtml(line('case-escalated p-2'), 'case'),
        m.historyLineHtml(line('ticket-reopened'), 'case'),
        m.historyLineHtml({ at: '2026-11-28T12:18:00+08:00', what: 'case-escalated', detail: {} }, 'case'),
      ].join('');
      return [...d.children].map((li) => li.textContent);
    })()`);
    expect(lines).toEqual([
      '11-28 12:17 重开 · 长时间无进展',
      '11-28 12:17 重开 · 超过办理期限',
      '11-28 12:17 重开 · 级别升至严重超标',
      '11-28 12:17 重开 · 工单有新进展（工单提交，事件 p-2）',
      '11-28 12:17 重开 · 工单有新进展（工单重开）',
      '11-28 12:18 工单提交',
    ]);
    expect(lines.join()).not.toMatch(/[a-z]{3,}|上报/);
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
