// The level words of every text the server makes (the weekly review, gateway notices): the
// wall-board's own (web/src/i18n.js), so that a report and a text message say what the wall says.
export const LEVEL_ZH: Readonly<Record<string, string>> = { ok: '正常', watch: '关注', breach: '超标', critical: '严重超标' };

/** A case's urgency, as the wall and the console label a case (allowance words are the level alerts'). */
export const URGENCY_ZH: Readonly<Record<string, string>> = { new: '新案', stale: '无进展', overdue: '超期' };

/** The steps of a complaint's own escalation ladder (the ticket's `escalated` events), as the wall says them. */
export const LADDER_ZH: Readonly<Record<string, string>> = { case_meeting: '案例会', mediation: '三方调解', management: '管理层' };

/** A complaint's own ladder step (a `case-escalated` line's `detail.escalation`): 工单提交三方调解; a code the wall does not know in brackets. */
export const caseEscalatedZh = (escalation: unknown): string =>
  typeof escalation === 'string' && escalation ? `工单提交${LADDER_ZH[escalation] ?? `（${escalation}）`}` : '工单提交';

/** Everyone of a role, as the console names an on-call ladder's `role:` entries (web/console/words.js). */
export const ROLE_ZH: Readonly<Record<string, string>> = { 'role:supervisor': '全体主管', 'role:admin': '全体管理员', 'role:viewer': '全体查看人' };

/** The default acknowledgement reasons, as the console offers them; a plan's other codes are said as they are. */
export const ACK_REASON_ZH: Readonly<Record<string, string>> = {
  unspecified: '未说明', investigating: '调查中', contacting_customer: '联系客户中', case_meeting: '提交案例会', known_cause: '原因已查明', false_positive: '误报',
};

/** What a history line says happened, as the console says it (web/console/words.js WHAT_ZH). */
export const WHAT_ZH: Readonly<Record<string, string>> = {
  opened: '开启', raised: '级别上升', acknowledged: '确认', escalated: '上报', note: '备注', notice: '消保提示书', assign: '指派', resolved: '解除', reopened: '重开',
  withdrawn: '撤销', amended: '数据更新', stale: '无进展', overdue: '超期', 'case-escalated': '工单提交', closed: '办结', recovering: '回落', corrected: '更正', 'ticket-reopened': '工单重开',
  'resolution-restored': '人工解除恢复有效',
};

/**
 * What happened, said once for every line of a kind: the weekly review's 预警与通知 counts
 * (server/reports/render.ts) and the notices' words for a line that needs no particulars
 * (notice-lines.ts, notice-title.ts). The notices' own words, never an engine code (audit CL1: the
 * review printed `amended 2`, `case-escalated 1`, and 发出通知 for the 消保提示书 while the
 * gateways had sent 90 notices). A level rise and a complaint's own ladder step are said with
 * their level and step where one line is (级别升至超标, 工单提交三方调解); a count says the kind.
 */
export const HAPPENED_ZH: Readonly<Record<string, string>> = {
  opened: '新预警', raised: '级别上升', acknowledged: '已确认', escalated: '超时或手动呼叫值班', note: '备注', notice: '已发消保提示书',
  assign: '已指派', resolved: '已解除', reopened: '重新打开', withdrawn: '已撤销', amended: '数据更新', stale: '长时间无进展',
  overdue: '超过办理期限', 'case-escalated': '工单提交', closed: '已办结', recovering: '回落中', corrected: '工单已更正', 'ticket-reopened': '工单重开',
  'resolution-restored': '原人工解除恢复有效',
};
