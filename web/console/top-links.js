// The console's top bar beyond the alerts: the 周复盘 (weekly review) of the current plan week,
// which a supervisor had to type as an address (audit CB F7), and the operator's line about the
// data (DATA_NOTICE in the snapshot: e.g. re-labelled American CFPB complaints, audit CB F4).

import { withToken } from './api.js';

/** The plan week (1-based) holding `nowMs`: the last one after the year, null before it starts. */
export function currentWeek(plan, nowMs) {
  const weeks = plan?.weeks ?? [];
  if (!weeks.length || nowMs < Date.parse(weeks[0].start)) return null;
  const at = weeks.find((w) => Date.parse(w.start) <= nowMs && nowMs < Date.parse(w.end));
  return at ? at.index : weeks[weeks.length - 1].index;
}

/** Points `link` at this week's review as a page, with the page's token; hidden without a plan week. */
export function showWeeklyLink(link, plan, nowMs) {
  const week = currentWeek(plan, nowMs);
  link.hidden = week === null;
  if (week === null) return;
  link.href = withToken(`/api/reports/weekly?week=${week}&format=html`);
  link.querySelector('b').textContent = `第${week}周`;
}

/** the longest notice shown: the server bounds DATA_NOTICE the same (server/config.ts) */
const NOTICE_MAX = 120;

/** Shows the operator's notice as text (never markup), or hides the line when there is none. */
export function showDataNotice(line, text) {
  const shown = typeof text === 'string' ? text.trim().slice(0, NOTICE_MAX) : '';
  line.hidden = !shown;
  if (line.textContent !== shown) line.textContent = shown;
}
