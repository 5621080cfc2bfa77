// What the page says when an action lost a race: another person (or the ticket's own events)
// changed the alert between the form being filled in and the server receiving it, and the server
// refused it (409). The server's own message is a line of English for integrations ("alert is
// resolved; only an open alert can be acknowledged"); a supervisor reads who changed it, to what
// and when, in the console's words (audit CT4).

import { fmt, STATUS_ZH, WHAT_ZH } from './words.js';

/** The refusals of an action because of the alert's state now (server: pipelines/rules/actions.ts). */
export const RACE_CODES = new Set(['NOT_OPEN', 'RESOLVED', 'NOT_RESOLVED', 'WITHDRAWN']);

const ACTION_ZH = { ack: '确认', escalate: '上报', resolve: '解除', reopen: '重开', note: '备注', assign: '指派', notice: '消保提示书' };
/** history lines that change an alert's status */
const STATUS_LINES = new Set(['acknowledged', 'resolved', 'reopened', 'withdrawn', 'closed', 'ticket-reopened', 'amended', 'resolution-restored']);

/** `alert` as it is now (undefined: could not be read); `action` the form's (ack, resolve…). */
export function raceText(alert, action) {
  const mine = ACTION_ZH[action] ?? action;
  const line = [...(alert?.history ?? [])].reverse().find((h) => STATUS_LINES.has(h.what));
  if (!alert || !line) return `此预警刚发生变化，你的${mine}未生效；请核对后再提交。The alert just changed: your action was not applied; check and submit again.`;
  const who = line.by ?? '系统';
  const status = STATUS_ZH[alert.status] ?? alert.status;
  return `此预警刚由${who}${WHAT_ZH[line.what] ?? line.what}（${fmt(line.at)}），现为「${status}」；你的${mine}未生效，请核对后再提交。` +
    `The alert was just changed (${line.what}, by ${who}): your action was not applied; check and submit again.`;
}
