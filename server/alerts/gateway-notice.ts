import { createHash } from 'node:crypto';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import type { CounterRow } from '../../pipelines/model.ts';
import type { AlertRecord, HistoryEntry } from '../../pipelines/rules/index.ts';
import type { Logger, Monitor } from '../monitor.ts';
import type { AlertView } from './view.ts';
import { branchName, gatewayNotice, movedBy, typeName } from './notice-text.ts';
import { updatedZh } from './notice-lines.ts';
import { boundTitle } from './title-bound.ts';

export { gatewayNotice, type GatewayNotice } from './notice-text.ts';

// What an SMS, WeCom or e-mail gateway on `complaints.alerts.<type>.<scope>` sends to the people
// on call, ready-made: the plan's names (not codes), the numbers behind a level alert, what just
// happened and who is on call now. Gateways still get the alert beside it (its latest lines).
//
// A notice is sent once its audit row is written (pending-notices.ts), so a crash before the
// write sends nothing and the restart derives and sends the change once. It may still come twice
// (a crash between the write and the send's delivery, a write that failed and was sent anyway,
// a lease taken over): each notice therefore has an id made of what it announces (the alert and
// the ids of its history lines, which are deterministic for everything the rules derive), sent
// as `noticeId` and as the `Nats-Msg-Id` header: a JetStream stream over these subjects folds the
// second copy within its duplicate window, and any gateway can skip an id it has sent.

/** The same alert and the same lines give the same id, across restarts and monitors. */
export function noticeId(alertId: string, entryIds: readonly string[]): string {
  return createHash('sha256').update([alertId, ...[...entryIds].sort()].join('\n'), 'utf8').digest('hex').slice(0, 32);
}

/** The lines announced; an assignment's or a 消保提示书's `to` beside them: whom the gateway tells besides the people on call. */
const changeOf = (entries: readonly HistoryEntry[]) =>
  entries.map((e) => ({ id: e.id, what: e.what, at: e.atMs, by: e.by ?? null, ...(typeof e.detail?.to === 'string' ? { to: e.detail.to } : {}) }));

/** A gateway message, made as the change is made (its figures are the change's), sent later. */
export interface GatewayMessage { subject: string; data: string; id: string }

/**
 * How many of an alert's latest history lines a message carries. The whole history made a
 * long-lived level alert's every notice grow with it (242 KB after a burst, verify AE), past what
 * a broker takes (`max_payload`, 1 MB by default and often less), and such a notice reached no
 * one; the gateway needs the change (`change[]`) and the alert as it is now, and
 * GET /api/alerts/{id} has every line.
 */
export const NOTICE_HISTORY_LINES = 20;

/** The alert as a message carries it: its latest lines, and how many earlier ones were left out. */
export function viewForNotice(view: AlertView): AlertView & { historyOmitted?: number } {
  const omitted = view.history.length - NOTICE_HISTORY_LINES;
  return omitted > 0 ? { ...view, history: view.history.slice(omitted), historyOmitted: omitted } : view;
}

/** the subjects of the gateway notices: one per alert's type and scope, for a gateway to subscribe to its own */
export const NOTICE_SUBJECT_PREFIX = 'complaints.alerts.';
export const noticeSubject = (complaintType: string, scope: string) => `${NOTICE_SUBJECT_PREFIX}${complaintType}.${scope}`;

export function gatewayMessage(
  monitor: Pick<Monitor, 'plan' | 'index'>,
  view: AlertView,
  entries: readonly HistoryEntry[],
  record: Pick<AlertRecord, 'id' | 'kind' | 'complaintType' | 'scope'>,
  nowMs: number,
): GatewayMessage {
  const row = record.kind === 'case' ? undefined : monitor.index.rows(nowMs, { type: record.complaintType, scope: record.scope })[0];
  const notice = gatewayNotice(view, entries, monitor.plan, row);
  const change = changeOf(entries);
  const id = noticeId(record.id, entries.map((e) => e.id));
  return { subject: noticeSubject(record.complaintType, record.scope), data: JSON.stringify({ ...viewForNotice(view), noticeId: id, change, notice }), id };
}

/**
 * The change's messages: its own, and when a correction moved the alert to another type or branch
 * (its amended line says `scope=SH` → …), a copy on the subject it was on, for the gateways that
 * sent its earlier notices (a branch's gateway subscribes to its own scope): it says where the
 * alert went. The copy has its own id, `copyOf` naming the first's, so a stream's duplicate window
 * does not fold it into the first, and a gateway on `complaints.alerts.>` can skip it.
 */
export function gatewayMessages(
  monitor: Pick<Monitor, 'plan' | 'index'>,
  view: AlertView,
  entries: readonly HistoryEntry[],
  record: Pick<AlertRecord, 'id' | 'kind' | 'complaintType' | 'scope'>,
  nowMs: number,
): GatewayMessage[] {
  const first = gatewayMessage(monitor, view, entries, record, nowMs);
  const from = movedBy(entries);
  if (from.scope === undefined && from.complaintType === undefined) return [first];
  const was = { complaintType: from.complaintType ?? record.complaintType, scope: from.scope ?? record.scope };
  const subject = noticeSubject(was.complaintType, was.scope);
  if (subject === first.subject) return [first];
  const { plan } = monitor;
  const subjectWords = [typeName(plan, was.complaintType), branchName(plan, was.scope), ...(view.ticketId ? [`工单 ${view.ticketId}`] : [])];
  const title = boundTitle('【消保预警·已转出】', subjectWords, '');
  const to = [was.scope !== record.scope ? branchName(plan, record.scope) : '', was.complaintType !== record.complaintType ? typeName(plan, record.complaintType) : ''].filter(Boolean).join('·');
  const reason = entries.find((e) => e.what === 'amended')?.reason;
  const text = `【消保预警·已转出】${subjectWords.join(' · ')}：${updatedZh(reason)}，转至${to}；此后的通知发往该处。`;
  const notice = { title, text, typeName: typeName(plan, was.complaintType), scopeName: branchName(plan, was.scope) };
  const id = noticeId(record.id, [...entries.map((e) => e.id), `copy for ${subject}`]);
  const change = changeOf(entries);
  return [first, { subject, data: JSON.stringify({ ...viewForNotice(view), noticeId: id, copyOf: first.id, change, notice }), id }];
}

/** Why the client refused it (larger than the broker's max_payload, a closed connection), or undefined once written. */
export function publishGatewayMessage(nc: Pick<NatsConnection, 'publish'>, m: GatewayMessage, log: Logger): string | undefined {
  try {
    const h = headers();
    h.set('Nats-Msg-Id', m.id);
    nc.publish(m.subject, m.data, { headers: h });
    return undefined;
  } catch (err) {
    log.warn({ err: (err as Error).message, noticeId: m.id, subject: m.subject, bytes: m.data.length }, 'alert publish on NATS failed');
    return `the client refused it (${(err as Error).message})`;
  }
}
