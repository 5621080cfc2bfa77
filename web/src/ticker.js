// @ts-check
// Alert ticker: the most recent alert changes, newest first. Critical alerts that are still open
// (not acknowledged) flash until someone acknowledges them. Escalations show their step count.
// In masked mode (public areas) ticket ids and screen names are not shown.
// Hooks: #alerts li[data-alert-id][data-level][data-status][data-kind][data-flash].

import { el, levelLabel, shortTime } from './format.js';
import { T } from './i18n.js';

/** @typedef {import('./state.js').BoardState} BoardState */

/** @param {string|undefined} kind */
const kindLabel = (kind) => (kind === 'case' ? T.kindCase : kind === 'level' ? T.kindLevel : kind === 'screen' ? T.kindScreen : kind ?? '');
/** @param {string|undefined} status */
const statusLabel = (status) => (status === 'open' ? T.open : status === 'acknowledged' ? T.acknowledged : status === 'resolved' ? T.resolved : status ?? '');

/**
 * @param {HTMLElement} list
 * @param {BoardState} state
 * @param {{ masked?: boolean }} [opts]
 */
export function renderTicker(list, state, opts = {}) {
  const typeName = new Map((state.plan?.types ?? []).map((t) => [t.code, t.name]));
  const scopeName = new Map((state.plan?.branches ?? []).map((b) => [b.code, b.name]));
  scopeName.set('ALL', T.all);
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
    const what = a.kind === 'screen'
      ? T.screenSilent(opts.masked ? '' : String(any.name || any.screenId || ''))
      : `${typeName.get(a.complaintType) ?? a.complaintType} · ${scopeName.get(a.scope) ?? a.scope}`;
    const steps = Array.isArray(any.history) ? any.history.filter((/** @type {any} */ h) => h && (h.escalation || h.action === 'escalated')).length : 0;
    li.append(
      el('span', { class: 'a-time num' }, shortTime(a.openedAt, state.timezone)),
      el('span', { class: 'a-kind' }, kindLabel(a.kind)),
      el('span', { class: 'a-what' }, what),
      el('span', { class: 'a-level' }, levelLabel(a.level)),
      el('span', { class: 'a-status' }, statusLabel(a.status)),
    );
    if (steps > 0) li.append(el('span', { class: 'a-esc' }, `↑${steps}`));
    if (a.ticketId && !opts.masked) li.append(el('span', { class: 'a-ticket num' }, a.ticketId));
    return li;
  });
  if (items.length === 0) items.push(el('li', { class: 'empty' }, T.noAlerts));
  list.replaceChildren(...items);
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
