// The supervisor console's plain ES modules, exercised where they run: imported by a real
// Chromium page (the fake wall-board server serves web/, the console's files with it).
import { describe, expect, it } from 'vitest';
import { modulePage } from './module-page.ts';

const { withModule } = modulePage();

const LADDER = { levels: [{ notify: ['值班主管', 'role:supervisor'], afterMinutes: 15 }, { notify: ['消保部负责人'], afterMinutes: 30 }], repeat: 1 };
const ctx = `({ typeName: (c) => ({ insurance_dispute: '代理保险争议' })[c] ?? c, scopeName: (c) => ({ SH: '上海分行' })[c] ?? c,
  at: (ms) => new Date(ms).toISOString().slice(11, 16) + 'Z', ladder: ${JSON.stringify(LADDER)}, mayAct: true, readOnlyNote: '',
  reasons: ['investigating', 'contacting_customer', 'my_plan_code'], typeOptions: () => '', notice: '' })`;
const caseAlert = {
  id: 'case.G1', kind: 'case', complaintType: 'insurance_dispute', scope: 'SH', level: 'critical', urgency: 'overdue', status: 'open',
  openedAt: '2026-11-01T09:00:00.000+08:00', ticketId: 'G1', deadline: '2026-11-16T09:00:00.000+08:00',
  onCall: { level: 1, round: 0, since: '2026-11-27T14:35:00.000+08:00', notify: ['值班主管', 'role:supervisor'] },
  history: [
    { at: '2026-11-01T09:00:00.000+08:00', what: 'opened', level: 'watch' },
    { at: '2026-11-05T09:00:00.000+08:00', what: 'case-escalated', detail: { escalation: 'mediation' } },
    { at: '2026-11-03T09:00:00.000+08:00', what: 'case-escalated', detail: { escalation: 'case_meeting' } },
    { at: '2026-11-27T14:40:00.000+08:00', what: 'acknowledged', by: '王主管', credential: { role: 'supervisor', fingerprint: '3f2a9c1d' }, reason: 'investigating', detail: { note: '客户电话139****5678已联系' } },
    { at: '2026-11-27T14:45:00.000+08:00', what: 'escalated', by: '王主管', detail: { onCallLevel: 2, note: '需负责人决定' } },
    { at: '2026-11-27T14:50:00.000+08:00', what: 'ticket-reopened' },
  ],
};

describe('console modules', () => {
  it('time - a time of this year without its year, of another year with it, the offset only in a foreign zone', async () => {
    const out = await withModule<string[]>('/console/time.js', `[
      m.timeText('2026-11-27T14:50:03.120+08:00', { thisYear: 2026 }),
      m.timeText('2024-11-03T01:30:00.000-04:00', { thisYear: 2026 }),
      m.timeText('2024-11-03T01:30:00.000-04:00', { thisYear: 2024, showOffset: true }),
      m.timeText('2024-11-03T01:30:00.000-05:00', { thisYear: 2024, showOffset: true }),
      m.timeText(null, {}),
    ]`);
    expect(out).toEqual(['11-27 14:50', '2024-11-03 01:30', '11-03 01:30 UTC-04:00', '11-03 01:30 UTC-05:00', '']);
  });

  it('time - the context names the plan zone\'s year and writes offsets when the viewer is elsewhere', async () => {
    // 2026-12-31T20:00Z is already 2027 in Shanghai, still 2026 in New York
    const out = await withModule<unknown[]>('/console/time.js', `[
      m.timeContext('Asia/Shanghai', Date.parse('2026-12-31T20:00:00Z'), 'Asia/Shanghai'),
      m.timeContext('America/New_York', Date.parse('2026-12-31T20:00:00Z'), 'Asia/Shanghai'),
      m.isoInZone(Date.parse('2024-11-03T05:30:00Z'), 'America/New_York'),
      m.isoInZone(Date.parse('2024-11-03T06:30:00Z'), 'America/New_York'),
      m.isoInZone(Date.parse('2026-01-01T00:00:00Z'), 'UTC'),
    ]`);
    expect(out).toEqual([
      { zone: 'Asia/Shanghai', thisYear: 2027, showOffset: false },
      { zone: 'America/New_York', thisYear: 2026, showOffset: true },
      '2024-11-03T01:30:00-04:00',
      '2024-11-03T01:30:00-05:00',
      '2026-01-01T00:00:00+00:00',
    ]);
  });

  it('on-call - the next climb is the current level\'s minutes after it began, round by round, none after the last', async () => {
    const since = '2026-11-27T14:35:00.000+08:00';
    const out = await withModule<unknown[]>('/console/on-call.js', `[
      m.nextClimb({ status: 'open', onCall: { level: 1, round: 0, since: '${since}' } }, ${JSON.stringify(LADDER)}),
      m.nextClimb({ status: 'open', onCall: { level: 2, round: 0, since: '${since}' } }, ${JSON.stringify(LADDER)}),
      m.nextClimb({ status: 'open', onCall: { level: 2, round: 1, since: '${since}' } }, ${JSON.stringify(LADDER)}),
      m.nextClimb({ status: 'acknowledged', onCall: { level: 1, round: 0, since: '${since}' } }, ${JSON.stringify(LADDER)}),
      m.nextClimb({ status: 'open', onCall: { level: 1, round: 0, since: '${since}' } }, null),
    ]`);
    const at = (minutes: number) => Date.parse(since) + minutes * 60_000;
    expect(out).toEqual([
      { atMs: at(15), level: 2, round: 0, notify: ['消保部负责人'] },
      { atMs: at(30), level: 1, round: 1, notify: ['值班主管', 'role:supervisor'] },
      null, null, null,
    ]);
  });

  it('alert view - open first, then the higher level, then the one waiting longest', async () => {
    const list = [
      { id: 'new-critical', status: 'open', level: 'critical', openedAt: '2026-11-20T10:00:00+08:00' },
      { id: 'acked-critical', status: 'acknowledged', level: 'critical', openedAt: '2026-11-01T10:00:00+08:00' },
      { id: 'old-critical', status: 'open', level: 'critical', openedAt: '2026-11-02T10:00:00+08:00' },
      { id: 'old-watch', status: 'open', level: 'watch', openedAt: '2026-10-01T10:00:00+08:00' },
      // an hour earlier than new-critical though its local text sorts later
      { id: 'utc-critical', status: 'open', level: 'critical', openedAt: '2026-11-20T01:00:00Z' },
    ];
    const ids = await withModule<string[]>('/console/alert-view.js', `${JSON.stringify(list)}.sort(m.compareAlerts).map((a) => a.id)`);
    expect(ids).toEqual(['old-critical', 'utc-critical', 'new-critical', 'old-watch', 'acked-critical']);
  });

  it('alert view - a case is labelled by its urgency, a level alert by its level', async () => {
    const out = await withModule<string[]>('/console/alert-view.js', `[
      m.levelWord({ kind: 'case', level: 'critical', urgency: 'overdue' }),
      m.levelWord({ kind: 'case', level: 'breach', urgency: 'stale' }),
      m.levelWord({ kind: 'case', level: 'watch' }),
      m.levelWord({ kind: 'level', level: 'critical' }),
    ]`);
    expect(out).toEqual(['超期', '无进展', '新案', '严重超标']);
  });

  it('alert view - a forecast already past says so instead of forecasting it', async () => {
    const out = await withModule<string[]>('/console/alert-view.js', `[
      m.forecastText({ week: 48, alreadyBreached: true }),
      m.forecastText({ week: 50, alreadyBreached: false }),
      m.forecastText({ week: null, alreadyBreached: false }),
    ]`);
    expect(out[0]).toBe('已超出累计管控值 (already beyond the allowance to date)');
    expect(out[0]).not.toContain('预计');
    expect(out[1]).toBe('预计第 50 周超出累计管控值 (forecast week 50)');
    expect(out[2]).toBe('');
  });

  it('alert view - a row shows the case\'s deadline, its furthest ladder step and when the on-call level climbs', async () => {
    const row = await withModule<string>('/console/alert-view.js', `(() => { const d = document.createElement('ul'); d.innerHTML = m.listRowHtml(${JSON.stringify(caseAlert)}, ${ctx}); return d.textContent.replace(/\\s+/g, ' ').trim(); })()`);
    expect(row).toContain('超期 代理保险争议 · 上海分行 · 工单 G1');
    expect(row).not.toContain('严重超标');
    expect(row).toContain('期限 11-16 09:00');
    expect(row).toContain('↑三方调解');
    expect(row).toContain('值班第1级，06:50Z 升第2级');
  });

  it('alert view - the history shows the notes given with an action, the reasons in Chinese, every step in Chinese', async () => {
    const text = await withModule<string>('/console/alert-view.js', `(() => { const d = document.createElement('div'); d.innerHTML = m.detailHtml(${JSON.stringify(caseAlert)}, ${ctx}); return d.querySelector('.history').textContent; })()`);
    expect(text).toContain('确认 · 王主管 [主管令牌 3f2a9c1d] · 调查中 · 备注：客户电话139****5678已联系');
    expect(text).toContain('上报 → 值班第2级 · 王主管 · 备注：需负责人决定');
    expect(text).toContain('工单提交三方调解');
    expect(text).toContain('工单重开');
    expect(text).not.toMatch(/investigating|ticket-reopened/);
  });

  it('alert view - the acknowledge form has a note and Chinese reasons; the detail says when the alert climbs', async () => {
    const out = await withModule<{ reasons: string[]; note: number; facts: string }>('/console/alert-view.js', `(() => {
      const d = document.createElement('div'); d.innerHTML = m.detailHtml(${JSON.stringify(caseAlert)}, ${ctx});
      const ack = d.querySelector('form[data-action="ack"]');
      return { reasons: [...ack.querySelectorAll('option')].map((o) => o.value + '=' + o.textContent), note: ack.querySelectorAll('input[name="note"]').length, facts: d.querySelector('#d-facts').textContent };
    })()`);
    expect(out.reasons).toEqual(['investigating=调查中', 'contacting_customer=联系客户中', 'my_plan_code=my_plan_code']);
    expect(out.note).toBe(1);
    expect(out.facts).toContain('未确认则 06:50Z 升至值班第2级：消保部负责人');
    expect(out.facts).toContain('通知 值班主管、全体主管');
  });

  it('alert view - a caller who may not act gets no form, and is told why', async () => {
    const out = await withModule<{ forms: number; note: string }>('/console/alert-view.js', `(() => {
      const c = { ...${ctx}, mayAct: false, readOnlyNote: '你的令牌只能查看（viewer），不能确认或操作。' };
      const d = document.createElement('div'); d.innerHTML = m.detailHtml(${JSON.stringify(caseAlert)}, c);
      return { forms: d.querySelectorAll('form, button').length, note: d.querySelector('.readonly-note').textContent };
    })()`);
    expect(out).toEqual({ forms: 0, note: '你的令牌只能查看（viewer），不能确认或操作。' });
  });

  it('alert view - an alert that ended while shown says it ended and why', async () => {
    const closed = { ...caseAlert, status: 'resolved', resolution: 'closed', resolvedAt: '2026-11-27T15:00:00.000+08:00' };
    const text = await withModule<string>('/console/alert-view.js', `(() => { const d = document.createElement('div'); d.innerHTML = m.endedHtml(${JSON.stringify(closed)}, ${ctx}); return d.querySelector('.ended').textContent; })()`);
    expect(text).toContain('此预警已解除');
    expect(text).toContain('办结：工单已达成一致');
    expect(text).toContain('11-27 15:00');
  });

  it('filters - an option added before the plan arrived is relabelled with the plan\'s name', async () => {
    const out = await withModule<string[]>('/console/filters.js', `(() => {
      const sel = document.createElement('select'); sel.add(new Option('全部', ''));
      m.fillSelect(sel, ['insurance_dispute'], (c) => c);
      sel.value = 'insurance_dispute';
      m.fillSelect(sel, ['mortgage_prepayment', 'insurance_dispute'], (c) => ({ insurance_dispute: '代理保险争议', mortgage_prepayment: '住房贷款提前还款' })[c]);
      return [...sel.options].map((o) => o.value + '=' + o.textContent).concat(sel.value);
    })()`);
    expect(out).toEqual(['=全部', 'insurance_dispute=代理保险争议', 'mortgage_prepayment=住房贷款提前还款', 'insurance_dispute']);
  });
  // Verify AN N1: after a restart the page said an action the disk had not kept was stored.
  it('log-stored - stored once no row waits; lost when the monitor started again and the action was not on its disk', async () => {
    const outcome = (answer: object, healths: object[]) =>
      withModule<string>('/console/log-stored.js', `new Promise((resolve) => {
        const healths = ${JSON.stringify(healths)};
        let i = 0;
        const api = async () => { const h = healths[Math.min(i++, healths.length - 1)]; if (h.down) throw new Error('503'); return h; };
        m.whenAlertLogStored(api, ${JSON.stringify(answer)}, { stored: () => resolve('stored after ' + i), lost: () => resolve('lost after ' + i) }, 5);
      })`);
    const A = '2026-11-27T16:00:00.000+08:00';
    const B = '2026-11-27T16:05:00.000+08:00';
    const waiting = (startedAt: string, rows: number) => ({ startedAt, alertLog: { rowsWaiting: rows } });
    expect(await outcome({ keptOnDisk: true, monitorStartedAt: A }, [waiting(A, 3), { down: true }, waiting(A, 0)])).toBe('stored after 3');
    expect(await outcome({ keptOnDisk: false, monitorStartedAt: A }, [waiting(A, 1), waiting(A, 0)])).toBe('stored after 2');
    expect(await outcome({ keptOnDisk: false, monitorStartedAt: A }, [waiting(A, 1), { down: true }, waiting(B, 0)])).toBe('lost after 3');
    // kept on disk: the new run writes it, and says its rows wait until then
    expect(await outcome({ keptOnDisk: true, monitorStartedAt: A }, [{ down: true }, waiting(B, 2), waiting(B, 0)])).toBe('stored after 3');
    // an earlier version put back: it does not say whether rows wait, nor read the kept ones
    expect(await outcome({ keptOnDisk: true, monitorStartedAt: A }, [waiting(A, 1), { down: true }, { startedAt: undefined }])).toBe('lost after 3');
  });
});
