// The console's top bar beyond the alerts: the 周复盘 (weekly review) of the last finished week,
// which a supervisor had to type as an address (audit CB F7), and the operator's line about the
// data (DATA_NOTICE in the snapshot: e.g. re-labelled American CFPB complaints, audit CB F4).

import { withToken } from './api.js';

/**
 * The last plan week (1-based) that is over at `nowMs`: the one before the week holding it, the
 * last one after the year; null while week 1 runs or before it. A review is stored once its week
 * is over: the running week's page is provisional, and linked it read as the week's review (verify CG G2).
 */
export function lastFinishedWeek(plan, nowMs) {
  const weeks = plan?.weeks ?? [];
  if (!weeks.length || nowMs < Date.parse(weeks[0].end)) return null;
  const at = weeks.find((w) => Date.parse(w.start) <= nowMs && nowMs < Date.parse(w.end));
  return at ? at.index - 1 : weeks[weeks.length - 1].index;
}

/** Points `link` at the last finished week's review as a page, with the page's token; hidden before one. */
export function showWeeklyLink(link, plan, nowMs) {
  const week = lastFinishedWeek(plan, nowMs);
  link.hidden = week === null;
  if (week === null) return;
  link.href = withToken(`/api/reports/weekly?week=${week}&format=html`);
  link.querySelector('b').textContent = `第${week}周`;
}

/** the longest notice shown: the server bounds DATA_NOTICE the same (server/config.ts) */
const NOTICE_MAX = 100;

/** Shows the operator's notice as text (never markup), or hides the line when there is none. */
export function showDataNotice(line, text) {
  const shown = typeof text === 'string' ? text.trim().slice(0, NOTICE_MAX) : '';
  line.hidden = !shown;
  if (line.textContent !== shown) line.textContent = shown;
}
