import type { CounterRow } from '../../pipelines/model.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import { describeLine } from '../../pipelines/rules/derived-lines.ts';
import { LEVEL_RANK, type HistoryEntry } from '../../pipelines/rules/types.ts';
import type { AlertView } from './view.ts';
import { ACK_REASON_ZH, LADDER_ZH, LEVEL_ZH, ROLE_ZH, URGENCY_ZH } from '../words.ts';

// The words of a gateway notice, for a duty officer reading an SMS:
// - the title says what the alert is now: an ended one says how it ended (已解除, 已撤销, 已办结),
//   never the alarm word of the level it once reached beside figures that say otherwise;
// - 升级 is not used: a level rise is 级别升至…, the on-call ladder calls (呼叫) the people of a
//   step (超时未确认；现呼叫值班第2级：…), and a complaint's own ladder is 工单提交…;
// - a person's action says who acted; once acknowledged the text says the calls stopped;
// - a line shown before and now revised (same id, quoted by the change's `amended` line) is said
//   by that `amended` line (已更正, why, where from), not again as what it first announced.

/** What a notice reads of one history line; tests may give only `what` (and `detail`). */
export type Announced = Pick<HistoryEntry, 'what' | 'detail'> & Partial<Pick<HistoryEntry, 'id' | 'atMs' | 'by' | 'reason' | 'before' | 'after' | 'level'>>;

export interface GatewayNotice {
  /** one line for a subject or an SMS's first words */
  title: string;
  /** the whole message, in Chinese, with names */
  text: string;
  typeName: string;
  scopeName: string;
}

const ON_CALL_POLICY = 'on-call policy';
/** A note longer than this is cut: an SMS is short, the console has the whole of it. */
const NOTE_CHARS = 30;

const ENDED_ZH: Record<string, string> = { recovered: '已解除', manual: '已解除', withdrawn: '已撤销', closed: '已办结' };

/** Why a re-derivation changed or withdrew what was shown (the engine's causes), in plain words. */
export function causeZh(reason: string | undefined): string {
  if (!reason) return '';
  if (reason.startsWith('correction')) return '工单更正';
  return ({ 'plan changed': '管控计划调整', 're-derived at start': '监测重启后重算', 'late event': '迟到事件补入', events: '新事件', clock: '按时重算' } as Record<string, string>)[reason] ?? reason;
}

const noteText = (s: unknown) => {
  const t = typeof s === 'string' ? s.replace(/\s+/g, ' ').trim() : '';
  return t.length > NOTE_CHARS ? `${t.slice(0, NOTE_CHARS)}…` : t;
};
/** （王主管） or （王主管：超期需负责人介入） */
const whoSaid = (by: string | undefined, ...said: unknown[]) => {
  const words = said.map(noteText).filter(Boolean).join('，');
  return by || words ? `（${[by, words].filter(Boolean).join('：')}）` : '';
};

export const notifyZh = (notify: readonly string[]) => notify.map((n) => ROLE_ZH[n] ?? n).join('、');

export function branchName(plan: CompiledPlan, scope: string): string {
  return scope === 'ALL' ? '全行' : (plan.plan.branches.find((b) => b.code === scope)?.name ?? scope);
}
export const typeName = (plan: CompiledPlan, code: string) => plan.typeByCode.get(code)?.name ?? code;

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

/** Rule lines of this change that were shown before: the amended line quotes their earlier form. */
function revisedLines(change: readonly Announced[]): Set<Announced> {
  const quoted = change.filter((e) => e.what === 'amended').flatMap((e) => (e.before ?? '').split('; '));
  const revised = new Set<Announced>();
  for (const e of change) {
    if (e.what === 'amended' || e.by !== undefined || e.atMs === undefined) continue;
    // with its level: a rise back past the level shown (a rise taken back, then made again) is news
    const head = describeLine({ id: '', atMs: e.atMs, what: e.what, ...(e.level ? { level: e.level } : {}) });
    if (quoted.some((q) => q === head || q.startsWith(`${head} `))) revised.add(e);
  }
  return revised;
}

export function gatewayNotice(view: AlertView, change: readonly Announced[], plan: CompiledPlan, row?: CounterRow): GatewayNotice {
  const tName = typeName(plan, view.complaintType);
  const scopeName = branchName(plan, view.scope);
  const ended = view.status === 'resolved' ? ENDED_ZH[view.resolution ?? ''] ?? '已解除' : undefined;
  // a case says its urgency, as the wall and the console do: 超标 of a single ticket misread
  const label = ended ?? (view.kind === 'case' ? (URGENCY_ZH[view.urgency ?? 'new'] ?? '逐笔盯盘') : (LEVEL_ZH[view.level] ?? view.level));
  const title = `【消保预警·${label}】${tName} · ${scopeName}${view.ticketId ? ` · 工单 ${view.ticketId}` : ''}`;
  const text = `${title}：${[facts(view, row), happened(view, change, plan), onCallNow(view, change)].filter(Boolean).join('；')}。`;
  return { title, text, typeName: tName, scopeName };
}

function facts(view: AlertView, row?: CounterRow): string {
  if (view.kind === 'case') return '逐笔盯盘，客户首轮沟通未达成一致';
  const reached = LEVEL_ZH[view.level] ?? view.level;
  const now = view.currentLevel;
  const level =
    view.resolution === 'withdrawn' ? `原报${reached}，现不成立`
    : view.status === 'resolved' ? `最高曾达${reached}`
    : now && LEVEL_RANK[now] < LEVEL_RANK[view.level] ? `最高曾达${reached}，现为${LEVEL_ZH[now] ?? now}`
    : '';
  // the ratio is the customers' share of the allowance to date, said so: beside the allowance it read as the allowance's
  const counts = row
    ? `未达成一致 ${row.unresolvedCustomers} 人，${row.ratio === null ? `累计管控值 ${row.allowanceToDate.toFixed(1)}` : `为累计管控值 ${row.allowanceToDate.toFixed(1)} 的 ${(row.ratio * 100).toFixed(1)}%`}，年度允许量 ${allowance(row.annualAllowance)}`
    : '';
  return [level, counts].filter(Boolean).join('；');
}

const rank = (l: string | undefined) => (l ? (LEVEL_RANK as Record<string, number>)[l] ?? 0 : 0);

/** An allowance as the wall shows it: one decimal (a branch's share is rarely whole), a whole one bare. */
const allowance = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function happened(view: AlertView, change: readonly Announced[], plan: CompiledPlan): string {
  const revised = revisedLines(change);
  const fresh = change.filter((e) => !revised.has(e));
  const opens = fresh.some((e) => e.what === 'opened');
  const amends = fresh.some((e) => e.what === 'amended');
  // a withdrawn alert back is opened again for the gateways to page, and said as restored, not new
  const restored = fresh.some((e) => e.what === 'amended' && (e.before ?? '').split('; ').includes('withdrawn'));
  const words = fresh.map((e) => {
    // a new alert's first message: its level is in the title, a correction that brought it is its cause
    if (opens && (e.what === 'raised' || e.what === 'corrected')) return '';
    if (e.what === 'opened') return restored ? '' : fresh.some((c) => c.what === 'corrected') ? '新预警（工单经更正后计入）' : '新预警';
    if (e.what === 'corrected' && amends) return ''; // the amended line says what it changed
    if (e.what === 'raised' && fresh.some((r) => r.what === 'raised' && rank(r.level) > rank(e.level))) return ''; // the highest rise says it
    return lineWords(view, e, plan);
  });
  return [...new Set(words.filter(Boolean))].join('；');
}

function lineWords(view: AlertView, e: Announced, plan: CompiledPlan): string {
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
      return e.reason?.startsWith('level rose') ? '重新打开（级别上升，此前的确认不再适用）' : '重新打开（工单有新进展）';
    case 'resolved':
      if (person) return `人工解除${whoSaid(by, d.note)}`;
      // a person's re-open stands against a rule's close dated before it: still open, said so
      if (view.status !== 'resolved') return view.kind === 'case' ? '客户已达成一致（人工重开仍有效，未解除）' : '已恢复正常（人工重开仍有效，未解除）';
      return view.kind === 'case' ? '客户已达成一致，解除' : '已恢复正常，解除';
    case 'closed': return '已办结';
    case 'withdrawn': return `已撤销${e.reason ? `（${causeZh(e.reason)}，不再成立）` : ''}`;
    case 'amended': return amendedWords(e, plan);
    case 'corrected': return '工单已更正';
    case 'case-escalated': return typeof d.escalation === 'string' && LADDER_ZH[d.escalation] ? `工单提交${LADDER_ZH[d.escalation]}` : '工单上报';
    case 'ticket-reopened': return '工单重开';
    case 'stale': return '无进展';
    case 'overdue': return '超期';
    case 'recovering': return '回落中';
    default: return e.what;
  }
}

/** 已更正（工单更正）：自上海分行转入 / 已更正（监测重启后重算）：预警恢复 */
function amendedWords(e: Announced, plan: CompiledPlan): string {
  const from = movedBy([e]);
  const where = [from.scope !== undefined ? branchName(plan, from.scope) : '', from.complaintType !== undefined ? typeName(plan, from.complaintType) : ''].filter(Boolean).join('·');
  const back = (e.before ?? '').split('; ').includes('withdrawn') ? '撤销的预警恢复' : '';
  const what = [where ? `自${where}转入` : '', back].filter(Boolean).join('，');
  return `已更正${e.reason ? `（${causeZh(e.reason)}）` : ''}${what ? `：${what}` : ''}`;
}

/** Who is called now; nothing once it ended; once acknowledged, that the calls stopped and who stopped them. */
function onCallNow(view: AlertView, change: readonly Announced[]): string {
  if (view.status === 'resolved') return '';
  if (view.status === 'acknowledged') {
    const saidHere = change.some((e) => e.what === 'acknowledged');
    if (saidHere) return '停止呼叫值班';
    return view.ack?.by ? `已由${view.ack.by}确认，停止呼叫值班` : '已确认，停止呼叫值班';
  }
  const people = notifyZh(view.onCall.notify);
  return `现呼叫值班第${view.onCall.level}级${people ? `：${people}` : ''}`;
}
