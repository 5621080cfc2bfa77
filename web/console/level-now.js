// A level alert carries the highest level it reached (`level`) and the level now (`currentLevel`,
// docs/ALERTS.md); the console showed only the first, so a cell back at 关注 read 超标 in the
// list and the pane (audit CB F1). Said as the gateways' notices say it (最高曾达超标，现为关注,
// server/alerts/notice-text.ts), with the cell's figures now from the counters the page receives.

import { LEVEL_ZH, esc } from './words.js';

/** The level now of a level alert whose level moved from the highest it reached; null otherwise. */
export function levelNow(a) {
  if (a?.kind === 'case' || !a?.currentLevel || a.currentLevel === a.level) return null;
  return a.currentLevel;
}

/** The level a filter on the level now matches: a case's level is its urgency now. */
export const levelNowOf = (a) => (a.kind === 'case' ? a.level : a.currentLevel ?? a.level);

/** The pill beside the highest level's: 现 关注. */
export function nowPillHtml(a) {
  const now = levelNow(a);
  return now ? ` <span class="pill now ${esc(now)}" data-now="${esc(now)}">现 ${esc(LEVEL_ZH[now] ?? now)}</span>` : '';
}

/** The cell's figures now (a counter row): not-agreed customers, the allowance to date, their ratio, the level. */
export function cellNowText(row) {
  if (!row) return '';
  const ratio = typeof row.ratio === 'number' ? `${(row.ratio * 100).toFixed(1)}%` : '—';
  return `格子现状 cell now：未达成一致 ${row.unresolvedCustomers} 人 / 累计管控值 ${Number(row.allowanceToDate).toFixed(1)}（${ratio}）· ${LEVEL_ZH[row.level] ?? row.level}`;
}
