// The console's words and small formatters: Chinese first, the English beside it where a
// supervisor from another team may read it.

import { timeText } from './time.js';

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Set once the plan's zone is known (time.js timeContext): every page of the console writes
// times the same way, with the year when it is not this one and the offset in a foreign zone.
let times = {};
export const useTimeContext = (ctx) => void (times = ctx);
export const fmt = (iso) => timeText(iso, times);

export const LEVEL_ZH = { watch: '关注', breach: '超标', critical: '严重超标', ok: '正常' }; // the wall's words
// A case's level is its urgency, not an allowance level: the wall says 新案 / 无进展 / 超期 for it.
export const CASE_LEVEL_ZH = { watch: '新案', breach: '无进展', critical: '超期' };
// a case's urgency (pipelines/rules/cases.ts: new, no progress for a while, past its deadline) and its level
export const URGENCY_LEVEL = { new: 'watch', stale: 'breach', overdue: 'critical' };
export const STATUS_ZH = { open: '待处理', acknowledged: '已确认', resolved: '已解除' };
export const KIND_ZH = { case: '逐笔盯盘 case', level: '累计 level' };
export const WHAT_ZH = { opened: '开启', raised: '级别上升', acknowledged: '确认', escalated: '上报', note: '备注', notice: '消保提示书', assign: '指派', resolved: '解除', reopened: '重开', withdrawn: '撤销', amended: '数据更新', stale: '无进展', overdue: '超期', 'case-escalated': '工单提交', closed: '办结', recovering: '回落', corrected: '更正', 'ticket-reopened': '工单重开', 'resolution-restored': '人工解除恢复有效' };
// why an alert ended (its `resolution`)
export const RESOLUTION_ZH = { closed: '办结：工单已达成一致 closed', recovered: '回落：已恢复正常 recovered', withdrawn: '撤销：更正后不再成立 withdrawn', manual: '人工解除 resolved by hand' };
// The plan's acknowledgement reasons (docs/ALERTS.md defaults) and the on-call policy's own reason;
// a plan's other codes are shown as they are.
export const REASON_ZH = {
  unspecified: '未说明', investigating: '调查中', contacting_customer: '联系客户中', case_meeting: '提交案例会',
  known_cause: '原因已查明', false_positive: '误报', 'not acknowledged in time': '超时未确认',
};
// why the rules changed or withdrew what was shown (an `amended` line's reason), as the gateways'
// texts say it (server/alerts/notice-text.ts causeZh); a correction keeps its event ids. An
// `amended` line is 数据更新, not 更正: new events of the ticket's own system re-figured it, no one
// corrected anything (更正 is a person's 工单更正; audit CH5).
export const CAUSE_ZH = { 'plan changed': '管控计划调整', 're-derived at start': '监测重启后重算', 'late event': '迟到事件补入', events: '依新事件重算', clock: '按时重算' };
export const reasonText = (code, kind) => {
  const restored = /^the acknowledgement given at (\w+) stands again: what cleared it was taken back \((.*)\)$/.exec(code ?? '');
  if (restored) return `${LEVEL_ZH[restored[1]] ?? restored[1]}时的确认重新生效：使其失效的变化已撤回（${reasonText(restored[2])}）`;
  // a close by hand given back (pipelines/rules/close-standing.ts): the withdrawal was taken back
  const closed = /^the resolution by hand stands again: what withdrew it was taken back \((.*)\)$/.exec(code ?? '');
  if (closed) return `人工解除重新生效：使其撤销的变化已撤回（${reasonText(closed[1])}）`;
  return REASON_ZH[code] ?? CAUSE_ZH[code] ?? reopenText(code ?? '', kind)
    ?? (/^correction\b/.test(code ?? '') ? `工单更正${code.slice(10).trim() ? ` ${code.slice(10).trim()}` : ''}` : code);
};
// A rule's re-open (pipelines/rules/merge.ts), as the notices say it (audit CL2): the alert rose
// over an acknowledgement or a close by hand (a case's level is its urgency: it went stale or
// overdue), or the ticket moved after a close by hand (`case-escalated p-2`: the event's id).
function reopenText(code, kind) {
  const rose = /^level rose to (\w+)$/.exec(code);
  if (rose) return kind === 'case' ? { breach: '长时间无进展', critical: '超过办理期限' }[rose[1]] ?? '级别上升' : `级别升至${LEVEL_ZH[rose[1]] ?? rose[1]}`;
  const moved = /^(ticket-reopened|case-escalated)(?: (\S+))?$/.exec(code);
  return moved ? `工单有新进展（${WHAT_ZH[moved[1]]}${moved[2] ? `，事件 ${moved[2]}` : ''}）` : undefined;
}
// who the on-call ladder notifies: people by name, and everyone of a role
export const ROLE_ZH = { 'role:supervisor': '全体主管', 'role:admin': '全体管理员', 'role:viewer': '全体查看人' };
export const notifyText = (list) => (list ?? []).map((n) => ROLE_ZH[n] ?? n).join('、');
// the steps of a complaint's own escalation ladder (the ticket's `escalated` events), as the wall says them
export const LADDER_ZH = { case_meeting: '案例会', mediation: '三方调解', management: '管理层' };
// a complaint's own ladder step, as the notices say it (server/words.ts caseEscalatedZh): 工单提交三方调解
export const caseEscalatedText = (step) => (typeof step === 'string' && step ? `工单提交${LADDER_ZH[step] ?? `（${step}）`}` : '工单提交');
// An action took effect but the alert log refused its row (503 ALERT_LOG_UNAVAILABLE): whether
// the monitor kept the row on its disk decides whether a restart before the log is back loses it.
export const notYetStoredText = (keptOnDisk, message) => (keptOnDisk
  ? `已生效，但尚未存档（ClickHouse 拒绝写入，自动重试中）；已暂存于监测本机磁盘，重启后仍会写入 — ${message}`
  : `已生效，但尚未存档（ClickHouse 拒绝写入，自动重试中）；本机磁盘也无法暂存，若监测在存档前重启，此操作会丢失，请查看预警历史 — ${message}`);
export const ACTION_STORED_AT_LAST = '已存档：ClickHouse 已恢复，此前的操作已写入预警日志 · stored in the alert log';
// the monitor that answered is gone and had not kept the row: a later retry may have, so the history decides
export const ACTION_MAYBE_LOST =
  '监测已重启（或换了版本），无法确认此操作已存档，可能已丢失：请先查看预警历史，确认没有后再重新操作 · the monitor restarted; the action may be lost, check the history';
