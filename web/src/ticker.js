// @ts-check
// Alert ticker: the most recent alert changes, newest first. Hooks: #alerts li[data-alert-id].

import { LEVEL_LABEL, el, shortTime } from './format.js';

/** @typedef {import('./state.js').BoardState} BoardState */

const KIND = { case: '个案', level: '等级' };
const STATUS = { open: '未确认', acknowledged: '已确认', resolved: '已解除' };

/**
 * @param {HTMLElement} list
 * @param {BoardState} state
 */
export function renderTicker(list, state) {
  const typeName = new Map((state.plan?.types ?? []).map((t) => [t.code, t.name]));
  const scopeName = new Map((state.plan?.branches ?? []).map((b) => [b.code, b.name]));
  scopeName.set('ALL', '全行');
  const items = state.alerts.map((a) => {
    const li = el('li', {
      'data-alert-id': a.id,
      'data-level': a.level ?? '',
      'data-status': a.status ?? '',
      'data-kind': a.kind ?? '',
    });
    const level = /** @type {keyof typeof LEVEL_LABEL} */ (a.level);
    li.append(
      el('span', { class: 'a-time num' }, shortTime(a.openedAt, state.timezone)),
      el('span', { class: 'a-kind' }, KIND[/** @type {keyof typeof KIND} */ (a.kind)] ?? a.kind ?? ''),
      el('span', { class: 'a-what' }, `${typeName.get(a.complaintType) ?? a.complaintType} · ${scopeName.get(a.scope) ?? a.scope}`),
      el('span', { class: 'a-level' }, LEVEL_LABEL[level] ?? a.level ?? ''),
      el('span', { class: 'a-status' }, STATUS[/** @type {keyof typeof STATUS} */ (a.status)] ?? a.status ?? ''),
    );
    if (a.ticketId) li.append(el('span', { class: 'a-ticket num' }, a.ticketId));
    return li;
  });
  if (items.length === 0) items.push(el('li', { class: 'empty' }, '暂无预警'));
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
