import type { CounterRow } from '../../pipelines/model.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import { describeLine } from '../../pipelines/rules/derived-lines.ts';
import { LEVEL_RANK } from '../../pipelines/rules/types.ts';
import type { AlertView } from './view.ts';
import { LEVEL_ZH, URGENCY_ZH } from '../words.ts';
import { branchName, ENDED_ZH, lineWords, notifyZh, typeName, type Announced } from './notice-lines.ts';
import { titleHeadline } from './notice-title.ts';
import { boundTitle } from './title-bound.ts';

export { branchName, causeZh, movedBy, notifyZh, typeName, type Announced } from './notice-lines.ts';

// The words of a gateway notice, for a duty officer reading an SMS:
// - the title's bracket says what the alert is now: an ended one says how it ended (已解除, 已撤销,
//   已办结), never the alarm word of the level it once reached beside figures that say otherwise;
//   after the subject, what this notice is (超时未确认，呼叫值班第2级, 已确认（王主管）: notice-title.ts),
//   so that a gateway sending the title alone does not page level 2 with what reads as a new case;
// - 升级 is not used: a level rise is 级别升至…, the on-call ladder calls (呼叫) the people of a
//   step (超时未确认；现呼叫值班第2级：…), and a complaint's own ladder is 工单提交…;
// - a person's action says who acted; once acknowledged the text says the calls stopped;
// - a line shown before and now revised (same id, quoted by the change's `amended` line) is said
//   by that `amended` line (已更正（工单更正）, 依新事件重算 or 数据更新 and why; where from), not again as what it first announced;
// - the title is at most one SMS (title-bound.ts); the text has every name whole.

export interface GatewayNotice {
  /** one line for a subject or an SMS's first words */
  title: string;
  /** the whole message, in Chinese, with names */
  text: string;
  typeName: string;
  scopeName: string;
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
  const bracket = `【消保预警·${label}】`;
  const subject = [tName, scopeName, ...(view.ticketId ? [`工单 ${view.ticketId}`] : [])];
  const head = `${bracket}${subject.join(' · ')}`;
  const revised = revisedLines(change);
  const fresh = change.filter((e) => !revised.has(e));
  const headline = titleHeadline(view, fresh, plan);
  // one SMS at most (title-bound.ts): the subject's names give way before what the notice is
  const title = boundTitle(bracket, subject, headline);
  const text = `${head}：${[facts(view, row), happened(view, fresh, plan), onCallNow(view, change)].filter(Boolean).join('；')}。`;
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

/** What the change's lines not shown before (`fresh`) say happened. */
function happened(view: AlertView, fresh: readonly Announced[], plan: CompiledPlan): string {
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
