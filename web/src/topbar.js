// @ts-check
// The top bar's words about the data, and the bank-wide column's note: plan period, dead
// letters, whether tickets arrive (intake.js), and events the bank-wide figures hold that no
// branch does (a branch the plan does not list: the branches then sum to less than 全行 with no
// word why; found by an audit), and a broker whose store refuses the intake's tickets (the
// monitor then still looks healthy: nothing new arrives to count). Hooks:
// #intake[data-state], #broker-store, #grid th.scope.all .scope-code[data-unknown].

import { dateTime, setText } from './format.js';
import { renderDeadLetters } from './data-quality.js';
import { anyCounted, intakeState, intakeText } from './intake.js';
import { planPeriodNote } from './state.js';
import { T } from './i18n.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {HTMLElement} node @param {boolean} hidden */
const hide = (node, hidden) => {
  if (node.hidden !== hidden) node.hidden = hidden;
};

/** @param {import('./state.js').BoardState} state @param {any} T */
export function renderHeader(state, T) {
  setText($('as-of'), dateTime(state.asOf, state.timezone));
  setText($('tz'), state.plan ? `(${state.timezone})` : '');
  setText($('plan-year'), state.year ? T.planYear(state.year) : '');
  const note = planPeriodNote(state, T);
  hide($('plan-ended'), !note);
  setText($('plan-ended'), note);
  // where the figures come from (e.g. re-labelled American CFPB complaints): text, never markup
  hide($('data-notice'), !state.dataNotice);
  setText($('data-notice'), state.dataNotice ?? '');
}

/** @param {import('./state.js').BoardState} state @param {any} T @param {{ quietMs: number }} opts */
export function renderDataNotes(state, T, opts) {
  const p = state.pipeline;
  renderDeadLetters($('dead-letters'), p, T);
  const intake = intakeState(p, { nowMs: state.heardAt ?? (state.asOf ? Date.parse(state.asOf) : null), anyCounted: anyCounted(state), quietMs: opts.quietMs });
  const box = $('intake');
  hide(box, !intake);
  if (intake) {
    if (box.dataset.state !== intake.state) box.dataset.state = intake.state;
    setText(box, intakeText(intake, state.timezone, T));
  }
  const store = $('broker-store');
  const degraded = p?.brokerStore?.status === 'degraded';
  hide(store, !degraded);
  setText(store, degraded ? T.brokerStoreDegraded : '');
  if (store.title !== (degraded ? (p.brokerStore.reasons ?? []).join('; ') : '')) store.title = degraded ? (p.brokerStore.reasons ?? []).join('; ') : '';
  const refused = $('notices-refused');
  const r = p?.noticesRefused;
  hide(refused, !r);
  setText(refused, r ? T.noticesRefused : '');
  const refusedTitle = r ? T.noticesRefusedTitle(r.subject, r.why ?? '', r.count, dateTime(r.at, state.timezone)) : '';
  if (refused.title !== refusedTitle) refused.title = refusedTitle;
  const code = /** @type {HTMLElement|null} */ (document.querySelector('#grid thead th.scope.all .scope-code'));
  if (!code) return;
  const unknown = p?.unknownBranches?.events ?? 0;
  const codes = Array.isArray(p?.unknownBranches?.codes) ? p.unknownBranches.codes.join(', ') : '';
  setText(code, unknown > 0 ? T.unknownBranches(unknown) : 'ALL');
  if (unknown > 0) code.dataset.unknown = String(unknown);
  else delete code.dataset.unknown;
  const title = unknown > 0 ? T.unknownBranchesTitle(unknown, codes || '—') : '';
  if (code.title !== title) code.title = title;
}

/**
 * The words that do not change with the data, in the page's language.
 * @param {string} lang
 * @param {{ kiosk: boolean, masked: boolean }} mode
 */
export function renderStaticTexts(lang, { kiosk, masked }) {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  document.title = T.title;
  $('title').textContent = T.title;
  $('subtitle').textContent = T.subtitle;
  $('as-of-label').textContent = T.asOf;
  $('banner-title').textContent = T.disconnected;
  $('stale-note').textContent = T.staleNote;
  $('alerts-title').textContent = T.alerts;
  $('masked-tag').textContent = masked ? T.masked : '';
  const sw = /** @type {HTMLAnchorElement} */ ($('lang-switch'));
  const other = new URLSearchParams(location.search);
  if (lang === 'en') other.delete('lang'); else other.set('lang', 'en');
  sw.href = `?${other.toString()}`;
  sw.textContent = T.lang;
  document.body.classList.toggle('kiosk', kiosk);
  document.body.classList.toggle('masked', masked);
}
