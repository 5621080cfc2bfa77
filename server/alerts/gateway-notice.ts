import { createHash } from 'node:crypto';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import type { CounterRow } from '../../pipelines/model.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import type { AlertRecord, HistoryEntry } from '../../pipelines/rules/index.ts';
import type { Logger, Monitor } from '../monitor.ts';
import type { AlertView } from './view.ts';
import { LADDER_ZH, LEVEL_ZH, URGENCY_ZH } from '../words.ts';

// What an SMS, WeCom or e-mail gateway on `complaints.alerts.<type>.<scope>` sends to the people
// on call, ready-made: the plan's names (not codes), the numbers behind a level alert, what just
// happened and who is on call now. Gateways still get the whole alert beside it.
//
// A notice is sent once its audit row is written (pending-notices.ts), so a crash before the
// write sends nothing and the restart derives and sends the change once. It may still come twice
// (a crash between the write and the send's delivery, a write that failed and was sent anyway,
// a lease taken over): each notice therefore has an id made of what it announces (the alert and
// the ids of its history lines, which are deterministic for everything the rules derive), sent
// as `noticeId` and as the `Nats-Msg-Id` header: a JetStream stream over these subjects folds the
// second copy within its duplicate window, and any gateway can skip an id it has sent.

const WHAT_ZH: Record<string, string> = {
  opened: '新预警', raised: '升级', reopened: '重开', escalated: '升级值班', acknowledged: '已确认', note: '备注',
  notice: '已发消保提示书', assign: '已指派', resolved: '已解除', withdrawn: '已撤销', amended: '已更正', corrected: '已更正',
  stale: '无进展', overdue: '超期', 'case-escalated': '案件升级', closed: '已办结', recovering: '回落中',
  'ticket-reopened': '工单重开',
};

/** What a notice says of one history line: the line's word, and to whom or which step where it has one. */
type Announced = Pick<HistoryEntry, 'what' | 'detail'>;

/** An allowance as the wall shows it: one decimal (a branch's share is rarely whole), a whole one bare. */
const allowance = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The same alert and the same lines give the same id, across restarts and monitors. */
export function noticeId(alertId: string, entryIds: readonly string[]): string {
  return createHash('sha256').update([alertId, ...[...entryIds].sort()].join('\n'), 'utf8').digest('hex').slice(0, 32);
}

export interface GatewayNotice {
  /** one line for a subject or an SMS's first words */
  title: string;
  /** the whole message, in Chinese, with names */
  text: string;
  typeName: string;
  scopeName: string;
}

export function gatewayNotice(view: AlertView, change: readonly Announced[], plan: CompiledPlan, row?: CounterRow): GatewayNotice {
  const typeName = plan.typeByCode.get(view.complaintType)?.name ?? view.complaintType;
  const scopeName = view.scope === 'ALL' ? '全行' : (plan.plan.branches.find((b) => b.code === view.scope)?.name ?? view.scope);
  // a case says its urgency, as the wall and the console do: 超标 of a single ticket misread
  const level = view.kind === 'case' ? (URGENCY_ZH[view.urgency ?? 'new'] ?? '逐笔盯盘') : (LEVEL_ZH[view.level] ?? view.level);
  const title = `【消保预警·${level}】${typeName} · ${scopeName}${view.ticketId ? ` · 工单 ${view.ticketId}` : ''}`;
  const facts =
    view.kind === 'case'
      ? '逐笔盯盘，客户首次接触未达成一致'
      : row
        ? `未达成一致 ${row.unresolvedCustomers} 人，累计管控值 ${row.allowanceToDate.toFixed(1)}${row.ratio === null ? '' : `（${(row.ratio * 100).toFixed(1)}%）`}，年度允许量 ${allowance(row.annualAllowance)}`
        : '';
  const happened = [...new Set(change.map(announced))].join('、');
  const people = view.onCall.notify.filter((n) => !n.startsWith('role:'));
  const onCall = view.status === 'resolved' ? '' : `值班第${view.onCall.level}级${people.length ? `：${people.join('、')}` : ''}`;
  const text = `${title}：${[facts, happened, onCall].filter(Boolean).join('；')}。`;
  return { title, text, typeName, scopeName };
}

/** 案件升级：三方调解 (a case's own ladder step), 已指派：陈某, 已发消保提示书：广州分行. */
function announced({ what, detail }: Announced): string {
  const word = WHAT_ZH[what] ?? what;
  const step = detail?.escalation;
  if (what === 'case-escalated' && typeof step === 'string' && LADDER_ZH[step]) return `${word}：${LADDER_ZH[step]}`;
  if ((what === 'assign' || what === 'notice') && typeof detail?.to === 'string') return `${word}：${detail.to}`;
  return word;
}

/** The gateways' message of one alert change, on `complaints.alerts.<type>.<scope>` (core NATS). */
/** A gateway message, made as the change is made (its figures are the change's), sent later. */
export interface GatewayMessage { subject: string; data: string; id: string }

export function gatewayMessage(
  monitor: Pick<Monitor, 'plan' | 'index'>,
  view: AlertView,
  entries: readonly HistoryEntry[],
  record: Pick<AlertRecord, 'id' | 'kind' | 'complaintType' | 'scope'>,
  nowMs: number,
): GatewayMessage {
  const row = record.kind === 'case' ? undefined : monitor.index.rows(nowMs, { type: record.complaintType, scope: record.scope })[0];
  const notice = gatewayNotice(view, entries, monitor.plan, row);
  const change = entries.map((e) => ({ id: e.id, what: e.what, at: e.atMs, by: e.by ?? null }));
  const id = noticeId(record.id, entries.map((e) => e.id));
  return { subject: `complaints.alerts.${record.complaintType}.${record.scope}`, data: JSON.stringify({ ...view, noticeId: id, change, notice }), id };
}

/** false when the client refused it (larger than the broker's max_payload, a closed connection) */
export function publishGatewayMessage(nc: Pick<NatsConnection, 'publish'>, m: GatewayMessage, log: Logger): boolean {
  try {
    const h = headers();
    h.set('Nats-Msg-Id', m.id);
    nc.publish(m.subject, m.data, { headers: h });
    return true;
  } catch (err) {
    log.warn({ err: (err as Error).message, noticeId: m.id, subject: m.subject }, 'alert publish on NATS failed');
    return false;
  }
}

export function sendToGateways(
  nc: Pick<NatsConnection, 'publish'>,
  monitor: Pick<Monitor, 'plan' | 'index'>,
  view: AlertView,
  entries: readonly HistoryEntry[],
  record: Pick<AlertRecord, 'id' | 'kind' | 'complaintType' | 'scope'>,
  nowMs: number,
  log: Logger,
): void {
  let message: GatewayMessage;
  try {
    message = gatewayMessage(monitor, view, entries, record, nowMs);
  } catch (err) {
    return void log.warn({ err: (err as Error).message }, 'alert publish on NATS failed');
  }
  publishGatewayMessage(nc, message, log);
}
