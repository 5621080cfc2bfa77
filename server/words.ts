// The level words of every text the server makes (the weekly review, gateway notices): the
// wall-board's own (web/src/i18n.js), so that a report and a text message say what the wall says.
export const LEVEL_ZH: Readonly<Record<string, string>> = { ok: '正常', watch: '关注', breach: '超标', critical: '严重超标' };

/** A case's urgency, as the wall and the console label a case (allowance words are the level alerts'). */
export const URGENCY_ZH: Readonly<Record<string, string>> = { new: '新案', stale: '无进展', overdue: '超期' };

/** The steps of a complaint's own escalation ladder (the ticket's `escalated` events), as the wall says them. */
export const LADDER_ZH: Readonly<Record<string, string>> = { case_meeting: '案例会', mediation: '三方调解', management: '管理层' };
