// @ts-check
// Alert ticker: the most recent alert changes, newest first. Critical alerts that are still open
// (not acknowledged) flash until someone acknowledges them. A case shows how far up the
// complaint's own ladder it has gone (case meeting, three-party mediation, management); an
// unacknowledged alert past the first on-call level shows that level. Wall screens that went
// silent are pinned above the alerts until they are back: a screen's status, not an alert.
// In masked mode (public areas) ticket ids and screen names are not shown.
// Hooks: #alerts li[data-alert-id][data-level][data-status][data-kind][data-flash],
// #alerts li[data-kind="screen"][data-screen-id][data-status="silent"].

import { el, levelLabel, yearTime } from './format.js';
import { T } from './i18n.js';

/** @typedef {import('./state.js').BoardState} BoardState */

/** @param {string|undefined} kind */
const kindLabel = (kind) => (kind === 'case' ? T.kindCase : kind === 'level' ? T.kindLevel : kind ?? '');
/** @param {string|undefined} status */
const statusLabel = (status) => (status === 'open' ? T.open : status === 'acknowledged' ? T.acknowledged : status === 'resolved' ? T.resolved : status ?? '');

/**
 * @param {HTMLElement} list
 * @param {BoardState} state
 * @param {{ masked?: boolean }} [opts]
 */
export function renderTicker(list, state, opts = {}) {
  // a code the plan lacks (a case carried from the year before): that year's name, from the headline
  const before = state.headline?.alerts?.carriedNames ?? {};
  const typeName = new Map([...Object.entries(before.types ?? {}), ...(state.plan?.types ?? []).map((t) => [t.code, t.name])]);
  const scopeName = new Map([...Object.entries(before.branches ?? {}), ...(state.plan?.branches ?? []).map((b) => [b.code, b.name])]);
  scopeName.set('ALL', T.all);
  // a time outside the plan year (a case carried from the year before) says its year
  const year = state.year ?? state.plan?.year;
  const time = (/** @type {any} */ t) => yearTime(t, state.timezone, year);
  const items = state.alerts.map((a) => {
    const any = /** @type {any} */ (a);
    const flash = a.level === 'critical' && a.status === 'open';
    const li = el('li', {
      'data-alert-id': a.id,
      'data-level': a.level ?? '',
      'data-status': a.status ?? '',
      'data-kind': a.kind ?? '',
      'data-flash': flash ? 'on' : undefined,
    });
    const what = `${typeName.get(a.complaintType) ?? a.complaintType} · ${scopeName.get(a.scope) ?? a.scope}`;
    const step = ladderStep(any.history);
    const onCall = a.status === 'open' && any.onCall?.level > 1 ? T.onCallLevel(any.onCall.level) : '';
    li.append(
      el('span', { class: 'a-time num' }, time(a.openedAt)),
      el('span', { class: 'a-kind' }, kindLabel(a.kind)),
      el('span', { class: 'a-what' }, what),
      levelCell(a),
      el('span', { class: 'a-status' }, statusLabel(a.status)),
    );
    if (step || onCall) li.append(el('span', { class: 'a-esc' }, step ? `↑${T.ladder[step]}` : `↑${onCall}`));
    if (a.ticketId && !opts.masked) li.append(el('span', { class: 'a-ticket num' }, a.ticketId));
    return li;
  });
  const screens = (state.screens ?? []).map((s) => {
    const li = el('li', { 'data-kind': 'screen', 'data-screen-id': s.id, 'data-status': 'silent', 'data-level': 'watch' });
    li.append(
      el('span', { class: 'a-time num' }, time(s.lastHeartbeat)),
      el('span', { class: 'a-kind' }, T.kindScreen),
      el('span', { class: 'a-what' }, T.screenSilent(opts.masked ? '' : s.name || s.id)),
    );
    return li;
  });
  if (items.length === 0 && screens.length === 0) items.push(el('li', { class: 'empty' }, T.noAlerts));
  list.replaceChildren(...screens, ...items);
}

/**
 * The alert's level: a case's is its urgency (new, no progress, overdue), not an allowance level;
 * a level alert whose cell moved since its highest level says both, the level now under it
 * (最高 超标 / 现 关注): the highest alone read 超标 beside a grid cell at 关注 (audit CB F1).
 * @param {import('./state.js').Alert} a
 */
function levelCell(a) {
  const any = /** @type {any} */ (a);
  if (a.kind === 'case') return el('span', { class: 'a-level' }, any.urgency ? T.urgency[any.urgency] ?? any.urgency : levelLabel(a.level));
  const now = typeof any.currentLevel === 'string' && any.currentLevel !== a.level ? any.currentLevel : null;
  if (!now) return el('span', { class: 'a-level' }, levelLabel(a.level));
  const cell = el('span', { class: 'a-level' }, `${T.levelHighest} ${levelLabel(a.level)}`);
  cell.append(el('span', { class: 'a-now', 'data-level': now }, `${T.levelNow} ${levelLabel(now)}`));
  return cell;
}

const LADDER = /** @type {const} */ (['case_meeting', 'mediation', 'management']);

/**
 * The furthest step of the complaint's escalation ladder an alert's history records (the ticket's
 * `escalated` events, as `case-escalated` lines), or null.
 * @param {any[]|undefined} history
 * @returns {typeof LADDER[number]|null}
 */
export function ladderStep(history) {
  let furthest = -1;
  for (const h of history ?? []) if (h?.what === 'case-escalated') furthest = Math.max(furthest, LADDER.indexOf(h.detail?.escalation));
  return furthest >= 0 ? LADDER[furthest] ?? null : null;
}

/**
 * Open strict-mode case alerts per type (逐笔盯盘 workload).
 * @param {BoardState} state
 */
export function openCasesByType(state) {
  /** @type {Map<string, number>} */
  const n = new Map();
  for (const a of state.alerts) {
    if (a.kind === 'case' && a.status !== 'resolved') n.set(a.complaintType, (n.get(a.complaintType) ?? 0) + 1);
  }
  return n;
}
