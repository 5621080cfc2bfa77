// The list's filters, and the 导出 CSV link that exports what the list shows (for a case meeting's
// papers, which are mostly about resolved cases and who acknowledged them when). The link always
// asked status=open, whatever 含已解除 and 现级别 said (audit CL4): both now come from one reading
// of the controls, and the link asks GET /api/alerts for the same (server/alerts/list.ts).

import { levelNowOf } from './level-now.js';

/** The controls' values; `limited`: the caller is a supervisor of some branches (只看我的机构 applies). */
export const filtersOf = ($, limited) => ({
  type: $('f-type').value, scope: $('f-scope').value, level: $('f-level').value, now: $('f-now').value,
  resolved: $('f-resolved').checked, mine: Boolean(limited) && $('f-mine').checked,
});

/**
 * The alerts the list shows: the open ones, with 含已解除 the resolved ones too, but not those a
 * correction withdrew (they never were; status=existing leaves them out as well).
 */
export function shownAlerts(open, closed, f, mayAct) {
  const listed = f.resolved ? [...open, ...[...closed].filter((a) => a.resolution !== 'withdrawn')] : [...open];
  return listed.filter((a) => (!f.type || a.complaintType === f.type) && (!f.scope || a.scope === f.scope)
    && (!f.level || a.level === f.level) && (!f.now || levelNowOf(a) === f.now) && (!f.mine || mayAct(a)));
}

/** GET /api/alerts as CSV with the list's filters: 含已解除 is status=existing, 现级别 currentLevel, 只看我的机构 mine=1. */
export function exportPath(f) {
  const params = [['status', f.resolved ? 'existing' : 'open'], ['format', 'csv'], ['type', f.type], ['scope', f.scope],
    ['level', f.level], ['currentLevel', f.now], ['mine', f.mine ? '1' : '']];
  return `/api/alerts?${params.filter(([, v]) => v).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}
