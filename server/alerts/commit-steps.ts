import type { Step } from '../../pipelines/rules/index.ts';
import type { Monitor } from '../monitor.ts';
import type { AuditWriter } from './audit-writer.ts';
import { gatewayMessages, type GatewayMessage } from './gateway-notice.ts';
import type { AlertIndex } from './record-index.ts';
import { logRow, rowYear, type LogRow } from './store.ts';
import { alertView, shownChange } from './view.ts';

/** The alert engine's steps applied: memory first, then the audit rows (in order), /ws and NATS. */
export function commitSteps(monitor: Monitor, alerts: AlertIndex, audit: AuditWriter, steps: Step[], now: number): void {
  if (steps.length === 0) return;
  const { plan, liveMessages } = monitor;
  const rows: LogRow[] = [];
  const notices: GatewayMessage[] = [];
  for (const { record, entries } of steps) {
    const before = alerts.records.get(record.id);
    alerts.remember(record);
    if (entries.length === 0) {
      // no history line, but what screens show may have moved (current level, urgency, burn)
      const view = before && shownChange(before, record, plan.timezone);
      if (view) liveMessages.next({ type: 'alert', ...view, change: [] });
      continue;
    }
    for (const e of entries) rows.push(logRow(record, e, rowYear(record, plan), now));
    const view = alertView(record, plan.timezone);
    const change = entries.map((e) => ({ what: e.what, at: e.atMs, by: e.by ?? null }));
    liveMessages.next({ type: 'alert', ...view, change });
    // a moved alert gets a copy for where it was too
    for (const m of gatewayMessages(monitor, view, entries, record, now)) notices.push(m);
  }
  // A derived line lost in a crash is derived again at the next start (and folds).
  audit.add(rows, notices);
}
