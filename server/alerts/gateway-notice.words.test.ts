import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CounterRow } from '../../pipelines/model.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { applyAction, escalationDue, mergeDerived, resolveAlertConfig, withdraw, type AlertRecord, type DerivedAlert, type HistoryEntry } from '../../pipelines/rules/index.ts';
import { gatewayMessages, gatewayNotice } from './gateway-notice.ts';
import { alertView } from './view.ts';

// Audit AF (the people on call, through a gateway built from the docs): the ready-made texts.
// The lines are made by the rules themselves (lifecycle.ts), so the texts are tested against the
// lines the engine really sends, their ids, reasons and `amended` quotes included. F8 (a case moved
// by a correction): gateway-notice.moved.test.ts.

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const tz = plan.timezone;
const cfg = resolveAlertConfig({ onCall: { levels: [{ notify: ['值班主管', 'role:supervisor'], afterMinutes: 15 }, { notify: ['消保部负责人', 'role:admin'], afterMinutes: 30 }], repeat: 1 } });
const T = Date.parse('2025-03-04T04:59:09+08:00');
const NOW = T + 60_000;
const LEVEL_ID = 'level.2025.auto_installment.GZ.1';

const row = (unresolved: number, allowanceToDate: number, annualAllowance = 10): CounterRow =>
  ({ complaintType: 'auto_installment', scope: 'GZ', unresolvedCustomers: unresolved, firstContactCustomers: 30, oneTimeResolutionRate: 0.5, allowanceToDate, annualAllowance, ratio: unresolved / allowanceToDate, level: 'watch' }) as CounterRow;
const figures = (unresolved: number, allowanceToDate: number) => ({ unresolved, allowanceToDate, ratio: unresolved / allowanceToDate });
const levelLine = (what: string, level: 'watch' | 'breach' | 'critical', unresolved: number, at = T): HistoryEntry =>
  ({ id: `${LEVEL_ID}/${what}/${at}/${level}`, atMs: at, what, level, detail: figures(unresolved, 3.3) });
const levelAlert = (level: DerivedAlert['level'], history: HistoryEntry[], extra: Partial<DerivedAlert> = {}): DerivedAlert =>
  ({ id: LEVEL_ID, kind: 'level', complaintType: 'auto_installment', scope: 'GZ', level, currentLevel: level, openedAtMs: T, history, ...extra });
const cause = (reason: string) => ({ retroactive: true, reason });

/** A critical level alert as the monitor holds it once opened: opened, raised twice. */
function criticalAlert(): AlertRecord {
  return mergeDerived(undefined, levelAlert('critical', [levelLine('opened', 'watch', 8), levelLine('raised', 'breach', 10), levelLine('raised', 'critical', 11)]), T, cause('events'), cfg).record;
}
const textOf = (r: AlertRecord, entries: readonly HistoryEntry[], counted?: CounterRow) => gatewayNotice(alertView(r, tz), entries, plan, counted).text;
let seq = 0;
const act = (r: AlertRecord, a: Parameters<typeof applyAction>[1]) => applyAction(r, a, NOW, () => `${r.id}/action/${++seq}`, cfg);

describe('F4: an ended level alert says how it ended, not the alarm word of the level it reached', () => {
  it('a withdrawal by a plan change: 已撤销 in the title, the level it was reported at, and why', () => {
    const { record, entries } = withdraw(criticalAlert(), NOW, cause('plan changed'))!;
    const n = gatewayNotice(alertView(record, tz), entries, plan, row(11, 18.2, 20));
    expect(n.title).toBe('【消保预警·已撤销】购车分期 · 广州分行');
    expect(n.text).toBe('【消保预警·已撤销】购车分期 · 广州分行：原报严重超标，现不成立；未达成一致 11 人，为累计管控值 18.2 的 60.4%，年度允许量 20；已撤销（管控计划调整，不再成立）。');
  });

  it('a recovery: 已解除 in the title, the highest level said as the highest reached', () => {
    const resolvedLine = levelLine('resolved', 'watch', 2, T + 7 * 86_400_000);
    const d = levelAlert('critical', [...criticalAlert().history, { ...resolvedLine, level: 'ok' as never }], { clearedAtMs: resolvedLine.atMs, currentLevel: 'ok' });
    const { record, entries } = mergeDerived(criticalAlert(), d, NOW, cause('clock'), cfg);
    expect(record.status).toBe('resolved');
    const text = textOf(record, entries, row(2, 9.1));
    expect(text).toMatch(/^【消保预警·已解除】购车分期 · 广州分行：最高曾达严重超标；未达成一致 2 人/);
    expect(text).not.toContain('严重超标】');
  });

  it('an alert back after a withdrawal says it is back and why; one recovering says the level now', () => {
    const withdrawn = withdraw(criticalAlert(), NOW, cause('plan changed'))!.record;
    const back = mergeDerived(withdrawn, levelAlert('critical', criticalAlert().history), NOW + 1, cause('re-derived at start'), cfg);
    expect(textOf(back.record, back.entries, row(11, 9.1))).toContain('；数据更新（监测重启后重算）：撤销的预警恢复；');
    const falling = alertView({ ...criticalAlert(), currentLevel: 'watch' }, tz);
    expect(gatewayNotice(falling, [{ what: 'recovering' }], plan, row(8, 9.1)).text).toContain('：最高曾达严重超标，现为关注；');
  });
});

describe('F5: people\'s actions say who acted; the ladder, a level rise and a ticket\'s ladder are told apart', () => {
  it('an acknowledgement names who, why and their note, and the text ends with the calls stopped', () => {
    const { record, entries } = act(criticalAlert(), { type: 'ack', by: '王主管', reason: 'investigating', note: '已联系支行' });
    expect(textOf(record, entries)).toBe('【消保预警·严重超标】购车分期 · 广州分行：已确认（王主管：调查中，已联系支行）；停止呼叫值班。');
    const noted = act(record, { type: 'note', by: '李主管', text: '客户已回电 135****2222，约定周五面谈，届时由支行行长陪同并带齐全部材料' });
    expect(textOf(noted.record, noted.entries)).toBe('【消保预警·严重超标】购车分期 · 广州分行：备注（李主管）：客户已回电 135****2222，约定周五面谈，届时由支行…；已由王主管确认，停止呼叫值班。');
  });

  it('an assignment and a 消保提示书 say who sent them', () => {
    const assigned = act(criticalAlert(), { type: 'assign', by: '王主管', to: '广州分行消保专员陈某' });
    expect(textOf(assigned.record, assigned.entries, row(11, 9.1))).toContain('；已指派：广州分行消保专员陈某（王主管）；');
    const sent = act(criticalAlert(), { type: 'notice', by: '王主管', to: '广州分行', text: '请三日内回访' });
    expect(textOf(sent.record, sent.entries, row(11, 9.1))).toContain('；已发消保提示书：广州分行（王主管）；');
    // D1: whom a gateway tells besides the people on call is in the message's change[], not only in the history
    const monitor = { plan, index: { rows: () => [row(11, 9.1)] } } as unknown as Parameters<typeof gatewayMessages>[0];
    const [m] = gatewayMessages(monitor, alertView(sent.record, tz), sent.entries, sent.record, NOW);
    expect(JSON.parse(m!.data).change).toEqual([{ id: sent.entries[0]!.id, what: 'notice', at: NOW, by: '王主管', to: '广州分行' }]);
  });

  it('a person\'s escalation names them and carries the note; the ladder\'s own step reads otherwise', () => {
    const byHand = act(criticalAlert(), { type: 'escalate', by: '王主管', note: '超期需负责人介入' });
    expect(textOf(byHand.record, byHand.entries, row(11, 9.1))).toContain('；王主管手动转呼值班第2级：超期需负责人介入；现呼叫值班第2级：消保部负责人、全体管理员。');
    const ladder = escalationDue(criticalAlert(), T + 16 * 60_000, cfg.onCall)!;
    expect(textOf(ladder.record, ladder.entries, row(11, 9.1))).toContain('；超时未确认；现呼叫值班第2级：消保部负责人、全体管理员。');
    const again = escalationDue(ladder.record, T + 46 * 60_000, cfg.onCall)!;
    expect(textOf(again.record, again.entries)).toMatch(/：超时未确认，从第1级重新呼叫；现呼叫值班第1级：值班主管、全体主管。$/);
  });

  it('升级 is said of nothing: a rise is 级别升至…, a ticket\'s ladder 工单提交…, a new breach just 新预警', () => {
    const fresh = mergeDerived(undefined, levelAlert('breach', [levelLine('opened', 'watch', 9), levelLine('raised', 'breach', 10)]), T, cause('events'), cfg);
    const rose = mergeDerived(fresh.record, levelAlert('critical', [...fresh.record.history, levelLine('raised', 'critical', 11, T + 1)]), NOW, cause('events'), cfg);
    const texts = [
      textOf(fresh.record, fresh.entries, row(10, 9.1)),
      textOf(rose.record, rose.entries, row(11, 9.1)),
      gatewayNotice(alertView({ ...fresh.record, kind: 'case', ticketId: 'T-9' }, tz), [{ what: 'case-escalated', detail: { escalation: 'management' } }], plan).text,
    ];
    expect(texts[0]).toBe('【消保预警·超标】购车分期 · 广州分行：未达成一致 10 人，为累计管控值 9.1 的 109.9%，年度允许量 10；新预警；现呼叫值班第1级：值班主管、全体主管。');
    expect(texts[1]).toContain('；级别升至严重超标；');
    const twice = gatewayNotice(alertView(criticalAlert(), tz), [{ what: 'raised', level: 'breach' }, { what: 'raised', level: 'critical' }], plan).text;
    expect(twice).toContain('：级别升至严重超标；'); // one rise, the highest, not 升至超标；升至严重超标
    expect(texts[2]).toContain('；工单提交管理层；');
    for (const t of texts) expect(t).not.toContain('升级');
  });

  it('a case says 首轮沟通 (the contract\'s and the bank\'s word)', () => {
    const c = alertView({ ...criticalAlert(), kind: 'case', ticketId: 'T-9', urgency: 'new' }, tz);
    expect(gatewayNotice(c, [{ what: 'stale' }], plan).text).toContain('：逐笔盯盘，客户首轮沟通未达成一致；');
  });
});

describe('F6: a line announced before and revised now is not announced again', () => {
  it('an opening whose figures a later event revised reads as the rise and the correction, not 新预警', () => {
    const first = mergeDerived(undefined, levelAlert('watch', [levelLine('opened', 'watch', 3)]), T, cause('events'), cfg);
    expect(textOf(first.record, first.entries, row(3, 3.3))).toContain('；新预警；');
    // a confirmation adds a 4th customer dated at the same instant: the opened line's figures change
    const revised = mergeDerived(first.record, levelAlert('breach', [levelLine('opened', 'watch', 4), levelLine('raised', 'breach', 4)]), NOW, cause('correction e-7'), cfg);
    // the opened line, re-figured, is not sent again (audit AW F1): the rise and the amended line are
    expect(revised.entries.map((e) => e.what).sort()).toEqual(['amended', 'raised']);
    const text = textOf(revised.record, revised.entries, row(4, 3.3));
    expect(text).not.toContain('新预警');
    expect(text).toContain('；级别升至超标；已更正（工单更正）；');
  });

  it('a case opened by a classification confirmation says 新预警 and why, not 已更正', () => {
    const CASE = 'case.AF-U2';
    const d: DerivedAlert = {
      id: CASE, kind: 'case', complaintType: 'insurance_dispute', scope: 'SH', level: 'watch', openedAtMs: T, ticketId: 'AF-U2', urgency: 'new',
      history: [
        { id: `${CASE}/opened/${T}`, atMs: T, what: 'opened', level: 'watch', detail: { eventId: 'e-1' } },
        { id: `${CASE}/corrected/${NOW}/c-1`, atMs: NOW, what: 'corrected', detail: { eventId: 'c-1', complaintType: 'insurance_dispute', branch: 'SH' } },
      ],
    };
    const { record, entries } = mergeDerived(undefined, d, NOW, cause('correction c-1'), cfg);
    expect(textOf(record, entries)).toBe('【消保预警·新案】代理保险争议 · 上海分行 · 工单 AF-U2：逐笔盯盘，客户首轮沟通未达成一致；新预警（工单经更正后计入）；现呼叫值班第1级：值班主管、全体主管。');
  });
});

describe('F7: role entries of the ladder are named as the console names them', () => {
  it('the default ladder (roles only) names everyone it calls', () => {
    const roles = resolveAlertConfig({});
    const opened = mergeDerived(undefined, levelAlert('watch', [levelLine('opened', 'watch', 8)]), T, cause('events'), roles);
    expect(textOf(opened.record, opened.entries)).toMatch(/；现呼叫值班第1级：全体主管。$/);
    const step = escalationDue(opened.record, T + 15 * 60_000, roles.onCall)!;
    expect(textOf(step.record, step.entries)).toMatch(/；现呼叫值班第2级：全体管理员。$/);
  });
});

// Verify AG N2: an acknowledgement the rules gave back (its rise taken back) was announced as
// 已确认（rise taken back (correction co… — English, cut, and naming nobody.
describe('an acknowledgement given back by the rules', () => {
  it('says the earlier acknowledgement stands again, and whose it was, in Chinese', () => {
    const r = { ...criticalAlert(), status: 'acknowledged' as const };
    const line: HistoryEntry = {
      id: `${LEVEL_ID}/acknowledged/${NOW}/restored`, atMs: NOW, what: 'acknowledged',
      reason: 'the acknowledgement given at breach stands again: what cleared it was taken back (correction corr-1)',
      detail: { restored: { by: '王主管', atMs: T, reason: 'investigating', note: '已联系客户', entryId: 'x' } },
    };
    const text = textOf(r, [line], row(11, 9.1));
    expect(text).toContain('原确认恢复有效（王主管：调查中，已联系客户）');
    expect(text).not.toMatch(/[a-z]{4,}/);
  });
});
