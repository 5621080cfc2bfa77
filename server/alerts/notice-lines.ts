import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import type { HistoryEntry } from '../../pipelines/rules/types.ts';
import type { AlertView } from './view.ts';
import { yearBeforeNames } from './year-before-names.ts';
import { ACK_REASON_ZH, caseEscalatedZh, HAPPENED_ZH, LEVEL_ZH, ROLE_ZH } from '../words.ts';

// What a gateway notice says of each history line it announces (notice-text.ts puts them
// together, notice-title.ts picks the one the title names). 升级 is not used: a level rise is
// 级别升至…, the on-call ladder calls (呼叫) the people of a step, a complaint's own ladder is 工单提交….
// Only a person's 工单更正 is 已更正: a re-derivation on the ticket's own new events is 依新事件重算,
// one on a plan change, a restart or a late event 数据更新（管控计划调整）, as the console says it: nobody
// corrected anything (audit CH5; CL3: a plan change still read 已更正（管控计划调整）).

/** What a notice reads of one history line; tests may give only `what` (and `detail`). */
export type Announced = Pick<HistoryEntry, 'what' | 'detail'> & Partial<Pick<HistoryEntry, 'id' | 'atMs' | 'by' | 'reason' | 'before' | 'after' | 'level'>>;

export const ON_CALL_POLICY = 'on-call policy';
/** A note longer than this is cut: an SMS is short, the console has the whole of it. */
const NOTE_CHARS = 30;

export const ENDED_ZH: Record<string, string> = { recovered: '已解除', manual: '已解除', withdrawn: '已撤销', closed: '已办结' };

/** Why a re-derivation changed or withdrew what was shown (the engine's causes), in plain words. */
export function causeZh(reason: string | undefined): string {
  if (!reason) return '';
  if (reason.startsWith('correction')) return '工单更正';
  return ({ 'plan changed': '管控计划调整', 're-derived at start': '监测重启后重算', 'late event': '迟到事件补入', events: '依新事件重算', clock: '按时重算' } as Record<string, string>)[reason] ?? reason;
}

export const noteText = (s: unknown) => {
  const t = typeof s === 'string' ? s.replace(/\s+/g, ' ').trim() : '';
  return t.length > NOTE_CHARS ? `${t.slice(0, NOTE_CHARS)}…` : t;
};
/** （王主管） or （王主管：超期需负责人介入） */
export const whoSaid = (by: string | undefined, ...said: unknown[]) => {
  const words = said.map(noteText).filter(Boolean).join('，');
  return by || words ? `（${[by, words].filter(Boolean).join('：')}）` : '';
};

export const notifyZh = (notify: readonly string[]) => notify.map((n) => ROLE_ZH[n] ?? n).join('、');

// a code the loaded plan lacks: a case carried from the year before, named by that year's stored plan (CR2)
export function branchName(plan: CompiledPlan, scope: string): string {
  return scope === 'ALL' ? '全行' : (plan.plan.branches.find((b) => b.code === scope)?.name ?? yearBeforeNames(plan.year).branches.get(scope) ?? scope);
}
export const typeName = (plan: CompiledPlan, code: string) => plan.typeByCode.get(code)?.name ?? yearBeforeNames(plan.year).types.get(code) ?? code;

/** A correction that moved the alert: `scope=SH` → `scope=BJ-HD` on its amended line. */
export function movedBy(change: readonly Announced[]): { complaintType?: string; scope?: string } {
  const from: { complaintType?: string; scope?: string } = {};
  for (const e of change) {
    if (e.what !== 'amended') continue;
    for (const part of (e.before ?? '').split('; ')) {
      const m = /^(complaintType|scope)=(.+)$/.exec(part);
      if (m) from[m[1] as 'complaintType' | 'scope'] = m[2]!;
    }
  }
  return from;
}

/** What a re-open by a rise set aside: the last decision before the last re-open, a close by hand or an acknowledgement (verify CV6). */
function setAside(view: AlertView): string {
  const h = view.history;
  let i = h.length - 1;
  while (i >= 0 && h[i]!.what !== 'reopened') i--;
  for (i--; i >= 0; i--) {
    const { what, by } = h[i]!;
    if (what === 'acknowledged') return '确认';
    if ((what === 'resolved' && by) || what === 'resolution-restored') return '人工解除';
  }
  return '确认';
}

export function lineWords(view: AlertView, e: Announced, plan: CompiledPlan): string {
  const d = (e.detail ?? {}) as { to?: unknown; text?: unknown; note?: unknown; escalation?: unknown; onCallLevel?: unknown; round?: unknown };
  const by = e.by;
  const person = by !== undefined && by !== ON_CALL_POLICY;
  switch (e.what) {
    case 'raised': return `级别升至${LEVEL_ZH[e.level ?? ''] ?? '更高一级'}`;
    case 'acknowledged': {
      // given back by the rules (pipelines/rules/ack-standing.ts): what cleared it was taken back
      const restored = (e.detail as { restored?: { by?: string; reason?: string; note?: unknown } } | undefined)?.restored;
      if (restored) return `原确认恢复有效${whoSaid(restored.by, restored.reason === 'unspecified' ? '' : (ACK_REASON_ZH[restored.reason ?? ''] ?? restored.reason), restored.note)}`;
      return `已确认${whoSaid(by, e.reason === 'unspecified' ? '' : (ACK_REASON_ZH[e.reason ?? ''] ?? e.reason), d.note)}`;
    }
    case 'note': return `备注${whoSaid(by)}${noteText(d.text) ? `：${noteText(d.text)}` : ''}`;
    case 'assign': return `已指派${typeof d.to === 'string' ? `：${d.to}` : ''}${whoSaid(by)}`;
    case 'notice': return `已发消保提示书${typeof d.to === 'string' ? `：${d.to}` : ''}${whoSaid(by)}`;
    // the ladder's step: the level it calls is the text's end (现呼叫值班第2级：…)
    case 'escalated':
      if (person) return `${by}手动转呼值班第${String(d.onCallLevel ?? view.onCall.level)}级${noteText(d.note) ? `：${noteText(d.note)}` : ''}`;
      return d.onCallLevel === 1 && typeof d.round === 'number' && d.round > 0 ? '超时未确认，从第1级重新呼叫' : '超时未确认';
    case 'reopened':
      if (person) return `人工重开${whoSaid(by, d.note)}`;
      return e.reason?.startsWith('level rose') ? `重新打开（${roseWords(view, e.reason)}，此前的${setAside(view)}不再适用）` : '重新打开（工单有新进展）';
    // a close by hand given back by the rules (pipelines/rules/close-standing.ts): it stands, nothing opened
    case 'resolution-restored': {
      const restored = (e.detail as { restored?: { by?: string; note?: unknown } } | undefined)?.restored;
      return `${HAPPENED_ZH['resolution-restored']!}${whoSaid(restored?.by, restored?.note)}`;
    }
    case 'resolved':
      if (person) return `人工解除${whoSaid(by, d.note)}`;
      // a person's re-open stands against a rule's close dated before it: still open, said so
      if (view.status !== 'resolved') return view.kind === 'case' ? '客户已达成一致（人工重开仍有效，未解除）' : '已恢复正常（人工重开仍有效，未解除）';
      return view.kind === 'case' ? '客户已达成一致，解除' : '已恢复正常，解除';
    case 'closed': return HAPPENED_ZH.closed!;
    case 'withdrawn': return `已撤销${e.reason ? `（${causeZh(e.reason)}，不再成立）` : ''}`;
    case 'amended': return amendedWords(e, plan);
    case 'corrected': return HAPPENED_ZH.corrected!;
    case 'case-escalated': return caseEscalatedZh(d.escalation);
    case 'ticket-reopened': return HAPPENED_ZH['ticket-reopened']!;
    case 'stale': return '无进展';
    case 'overdue': return '超期';
    case 'recovering': return HAPPENED_ZH.recovering!;
    default: return e.what;
  }
}

/**
 * Why the rules changed what was shown: 已更正（工单更正） for a person's correction only; the ticket's
 * own new events 依新事件重算; a plan change, a restart, a late event, the clock 数据更新（管控计划调整）.
 */
export function updatedZh(reason: string | undefined): string {
  if (reason === 'events') return causeZh(reason);
  if (reason?.startsWith('correction')) return `已更正（${causeZh(reason)}）`;
  return `数据更新${reason ? `（${causeZh(reason)}）` : ''}`;
}

/**
 * Why a rule re-opened an alert that rose (`level rose to breach`, pipelines/rules/merge.ts): a
 * case's level is its urgency, so a case says it went stale or overdue, not 级别上升 (audit CL6).
 */
export function roseWords(view: Pick<AlertView, 'kind'>, reason: string | undefined): string {
  const to = /^level rose to (\w+)$/.exec(reason ?? '')?.[1];
  if (view.kind !== 'case') return '级别上升';
  return to === 'critical' ? HAPPENED_ZH.overdue! : to === 'breach' ? HAPPENED_ZH.stale! : '级别上升';
}

/** 已更正（工单更正）：自上海分行转入 / 数据更新（监测重启后重算）：撤销的预警恢复 / 依新事件重算：撤销的预警恢复 */
export function amendedWords(e: Announced, plan: CompiledPlan): string {
  const from = movedBy([e]);
  const where = [from.scope !== undefined ? branchName(plan, from.scope) : '', from.complaintType !== undefined ? typeName(plan, from.complaintType) : ''].filter(Boolean).join('·');
  const back = (e.before ?? '').split('; ').includes('withdrawn') ? '撤销的预警恢复' : '';
  const what = [where ? `自${where}转入` : '', back].filter(Boolean).join('，');
  return `${updatedZh(e.reason)}${what ? `：${what}` : ''}`;
}
