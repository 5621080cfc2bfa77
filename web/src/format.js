// @ts-check
// Display formatting. Every time shown on the board is in the plan's time zone, never the
// wall display's local zone, so two rooms in different cities read the same clock.

/** @typedef {'ok'|'watch'|'breach'|'critical'} Level */

import { T } from './i18n.js';

/** @param {string|undefined|null} level */
export const levelLabel = (level) => (level === 'ok' || level === 'watch' || level === 'breach' || level === 'critical' ? T[level] : level ?? '');

/** @param {string} mode */
export const modeLabel = (mode) => (mode === 'strict' ? T.strictMode : mode === 'relative' ? T.relativeMode : mode);

/** @param {number|null|undefined} n */
export function int(n) {
  return typeof n === 'number' && Number.isFinite(n) ? String(Math.round(n)) : '—';
}

/**
 * Allowances are fractional (annual × week shares); one decimal is what the teams review.
 * @param {number|null|undefined} n
 */
export function dec1(n) {
  return typeof n === 'number' && Number.isFinite(n) ? n.toFixed(1) : '—';
}

/**
 * An allowance as a figure on the wall: one decimal while it is small; from 1000 on the decimal
 * says nothing a room acts on and costs the width a 5- or 6-digit figure needs (the exact value
 * is in the cell's title).
 * @param {number|null|undefined} n
 */
export function allowanceFigure(n) {
  return typeof n === 'number' && Math.abs(n) >= 1000 ? int(n) : dec1(n);
}

/** @param {number|null|undefined} r a fraction, e.g. 0.853 → "85.3%" */
export function pct(r) {
  return typeof r === 'number' && Number.isFinite(r) ? `${(r * 100).toFixed(1)}%` : '—';
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const fmtCache = new Map();

/**
 * @param {string} tz
 * @param {Intl.DateTimeFormatOptions} opts
 */
function formatter(tz, opts) {
  const key = tz + JSON.stringify(opts);
  let f = fmtCache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('zh-CN', { ...opts, timeZone: tz, hourCycle: 'h23' });
    } catch {
      // Unknown zone name: fall back to Shanghai, the contract's default, rather than local time.
      f = new Intl.DateTimeFormat('zh-CN', { ...opts, timeZone: 'Asia/Shanghai', hourCycle: 'h23' });
    }
    fmtCache.set(key, f);
  }
  return f;
}

/**
 * @param {Date} d
 * @param {string} tz
 * @param {Intl.DateTimeFormatOptions} opts
 */
function parts(d, tz, opts) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const p of formatter(tz, opts).formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** @param {string|number|Date|null|undefined} t */
function toDate(t) {
  if (t == null) return null;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * "2025-03-14 10:32:05"
 * @param {string|number|Date|null|undefined} t
 * @param {string} tz
 */
export function dateTime(t, tz) {
  const d = toDate(t);
  if (!d) return '—';
  const p = parts(d, tz, {
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/**
 * "03-14 10:32"
 * @param {string|number|Date|null|undefined} t
 * @param {string} tz
 */
export function shortTime(t, tz) {
  const d = toDate(t);
  if (!d) return '—';
  const p = parts(d, tz, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/**
 * shortTime inside the plan year; a time outside it carries its year, "2025-12-30 15:00": under the
 * 2026 plan's header a case carried from 2025 read "12-30 15:00" as if it were this December (CR3).
 * @param {string|number|Date|null|undefined} t
 * @param {string} tz
 * @param {number|null|undefined} year the plan's year (none: always short)
 */
export function yearTime(t, tz, year) {
  const d = toDate(t);
  if (!d || typeof year !== 'number') return shortTime(t, tz);
  const p = parts(d, tz, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return Number(p.year) === year ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/**
 * "10:32:05"
 * @param {string|number|Date|null|undefined} t
 * @param {string} tz
 */
export function clock(t, tz) {
  const d = toDate(t);
  if (!d) return '—';
  const p = parts(d, tz, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** "3 s", "2 min", "1 h" @param {number|null|undefined} ms */
export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

/**
 * Axis label for an epoch-seconds tick: "3月14日".
 * @param {number} sec
 * @param {string} tz
 */
export function monthDay(sec, tz) {
  const p = parts(new Date(sec * 1000), tz, { month: 'numeric', day: 'numeric' });
  return T.monthDay(Number(p.month), Number(p.day));
}

/**
 * @param {string} tag
 * @param {Record<string, string|number|boolean|undefined>} [attrs]
 * @param {string} [text]
 */
export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') node.className = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Writes a text only when it differs: at a hundred changes a second most frames leave what a
 * node shows as it was, and an unchanged write still costs a style and layout pass.
 * @param {Node|null|undefined} node @param {string} text
 * @returns {boolean} whether it changed
 */
export function setText(node, text) {
  if (!node || node.textContent === text) return false;
  node.textContent = text;
  return true;
}
