// The console's words and small formatters: Chinese first, the English beside it where a
// supervisor from another team may read it.

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const fmt = (iso) => (iso ? iso.slice(5, 16).replace('T', ' ') : '');

export const LEVEL_ZH = { watch: '关注', breach: '超标', critical: '严重超标', ok: '正常' }; // the wall's words
export const STATUS_ZH = { open: '待处理', acknowledged: '已确认', resolved: '已解除' };
export const KIND_ZH = { case: '逐笔盯盘 case', level: '累计 level' };
// a case's urgency (pipelines/rules/cases.ts): new, no progress for a while, past its deadline
export const URGENCY_ZH = { new: '新案 new', stale: '无进展 stale', overdue: '超期 overdue' };
export const WHAT_ZH = { opened: '开启', raised: '升级', acknowledged: '确认', escalated: '上报', note: '备注', notice: '消保提示书', assign: '指派', resolved: '解除', reopened: '重开', withdrawn: '撤销', amended: '更正', stale: '无进展', overdue: '超期', 'case-escalated': '案件升级', closed: '办结', recovering: '回落', corrected: '更正' };
// the steps of a complaint's own escalation ladder (the ticket's `escalated` events), as the wall says them
export const LADDER_ZH = { case_meeting: '案例会', mediation: '三方调解', management: '管理层' };
