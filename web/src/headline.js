// @ts-check
// Headline tiles across the top: one-time resolution rate YTD, not-agreed customers YTD against
// the cumulative allowance, open case alerts, alerts by level; each with its change against one
// week earlier (computed by the server, `headline.lastWeek`) and its freshness.
// Hooks: #headline .tile[data-tile] with .value, .trend[data-dir], .fresh.

import { dec1, el, int, pct, setText } from './format.js';
import { T } from './i18n.js';

/** @typedef {{ root: HTMLElement, value: HTMLElement, sub: HTMLElement, trend: HTMLElement, fresh: HTMLElement, carried?: Array<[string, number]> }} Tile */

const TILES = /** @type {const} */ (['otr', 'notAgreed', 'cases', 'levels']);

/** @param {HTMLElement} host @returns {Record<string, Tile>} */
export function buildHeadline(host) {
  /** @type {Record<string, Tile>} */
  const tiles = {};
  const labels = { otr: T.hOtr, notAgreed: T.hNotAgreed, cases: T.hCases, levels: T.hLevels };
  host.replaceChildren();
  for (const k of TILES) {
    const root = el('div', { class: 'tile', 'data-tile': k });
    const value = el('div', { class: 'value num' }, '—');
    const sub = el('div', { class: 'sub num' }, '');
    const trend = el('div', { class: 'trend num', 'data-dir': 'flat' }, '');
    const fresh = el('div', { class: 'fresh num' }, '');
    // three lines, each within the tile: what and how fresh; the figure and its trend (the trend
    // goes under the figure when both do not fit); the detail, cut short rather than let out
    const head = el('div', { class: 'tile-head' });
    head.append(el('div', { class: 'tile-label' }, labels[k]), fresh);
    const main = el('div', { class: 'tile-main' });
    main.append(value, trend);
    root.append(head, main, sub);
    host.append(root);
    tiles[k] = { root, value, sub, trend, fresh };
  }
  return tiles;
}

/**
 * Arrow and signed difference. `goodUp`: a rising value is good news (the resolution rate);
 * colour follows good/bad, not up/down.
 * @param {Tile} t @param {number|null|undefined} now @param {number|null|undefined} prev
 * @param {(n: number) => string} fmt @param {boolean} goodUp
 */
function trend(t, now, prev, fmt, goodUp) {
  if (typeof now !== 'number' || typeof prev !== 'number') {
    setText(t.trend, '');
    t.trend.dataset.dir = 'flat';
    return;
  }
  const d = now - prev;
  const dir = Math.abs(d) < 1e-9 ? 'flat' : d > 0 ? 'up' : 'down';
  t.trend.dataset.dir = dir;
  t.trend.dataset.good = dir === 'flat' ? '' : String((dir === 'up') === goodUp);
  setText(t.trend, dir === 'flat' ? `${T.vsLastWeek} ${T.noChange}` : `${T.vsLastWeek} ${dir === 'up' ? '▲' : '▼'} ${fmt(Math.abs(d))}`);
}

/** @param {Record<string, Tile>} tiles @param {any} h the server's headline */
export function updateHeadline(tiles, h) {
  const now = h?.now, prev = h?.lastWeek, alerts = h?.alerts;
  const t = /** @type {Record<string, Tile>} */ (tiles);
  setText(t.otr.value, pct(now?.rate));
  setText(t.otr.sub, now ? `${int(now.firstContact - now.unresolved)} / ${int(now.firstContact)}` : '');
  trend(t.otr, now?.rate, prev?.rate, (d) => `${(d * 100).toFixed(1)} pt`, true);
  setText(t.notAgreed.value, now ? `${int(now.unresolved)} / ${dec1(now.allowanceToDate)}` : '—');
  setText(t.notAgreed.sub, now ? pct(now.ratio) : '');
  t.notAgreed.root.dataset.level = !now ? '' : now.unresolved > now.annualAllowance ? 'critical' : now.unresolved > now.allowanceToDate ? 'breach' : (now.ratio ?? 0) >= (h.watch ?? 0.8) ? 'watch' : 'ok';
  trend(t.notAgreed, now?.unresolved, prev?.unresolved, (d) => int(d), false);
  setText(t.cases.value, alerts ? int(alerts.openCases) : '—');
  casesLine(t.cases, alerts);
  trend(t.cases, alerts?.openedThisWeek, alerts?.openedLastWeek, (d) => int(d), false);
  const lv = alerts?.byLevel ?? {};
  const counts = ['critical', 'breach', 'watch'];
  // each figure with its word: three bare coloured numbers said nothing
  if (t.levels.value.children.length !== counts.length) {
    t.levels.value.replaceChildren(...counts.map((k) => {
      const span = el('span', { class: `lv lv-${k}`, title: T.levelAlertsTitle(T[k]) });
      span.append(el('small', {}, T.lvShort[k]), el('b'));
      return span;
    }));
  }
  counts.forEach((k, i) => setText(/** @type {HTMLElement} */ (t.levels.value.children[i]?.lastChild), int(lv[k] ?? 0)));
  const levelsNow = now?.levels, levelsPrev = prev?.levels;
  const bad = (/** @type {any} */ l) => (l ? l.watch + l.breach + l.critical : undefined);
  setText(t.levels.sub, levelsNow ? `${T.cellsNow}：${T.critical} ${int(levelsNow.critical)} · ${T.breach} ${int(levelsNow.breach)} · ${T.watch} ${int(levelsNow.watch)}` : '');
  trend(t.levels, bad(levelsNow), bad(levelsPrev), (d) => int(d), false);
}

/** @param {Record<string, Tile>} tiles @param {string} text */
export function setHeadlineFresh(tiles, text) {
  for (const t of Object.values(tiles)) setText(t.fresh, text);
}

/**
 * The cases tile's line: how many of its cases are not acknowledged, then the open cases of types
 * the loaded plan has no panel for (a type of the year before that the plan dropped, its cases
 * carried: "3 未确认 · 上年度个案 理财产品 1"; CR1: counted above and shown nowhere).
 * @param {Tile} tile @param {any} alerts the headline's
 */
function casesLine(tile, alerts) {
  const unack = alerts ? `${int(alerts.unacknowledgedCases ?? alerts.unacknowledged ?? alerts.open)} ${T.open}` : ''; // of the cases above
  const names = alerts?.carriedNames?.types ?? {}; // the year before's names of types the plan dropped
  const off = tile.carried?.length ? `${T.carriedCases} ${tile.carried.map(([type, n]) => `${names[type] ?? type} ${int(n)}`).join('、')}` : '';
  setText(tile.sub, [unack, off].filter(Boolean).join(' · '));
  tile.root.toggleAttribute('data-carried', Boolean(off));
}

/** @param {Tile} tile @param {Array<[string, number]>} off [type, open cases] @param {any} h the server's headline */
export function setCarriedCases(tile, off, h) {
  tile.carried = off;
  casesLine(tile, h?.alerts);
}
