// @ts-check
// Wall-board entry point: wires the /ws link to the state reducers and the views. Rule of the
// board: numbers look live only while the link is live and a snapshot has been applied; any
// other moment greys them out and says so in words.

import { createChart } from './src/charts.js';
import { dateTime } from './src/format.js';
import { buildGrid, cellKey, updateCell } from './src/grid.js';
import { buildPanel, setOpenCases, updatePanel } from './src/panels.js';
import { connectWallboard, wsUrl } from './src/socket.js';
import { ALL, applyCounter, emptyState, fromSnapshot, upsertAlert } from './src/state.js';
import { openCasesByType, renderTicker } from './src/ticker.js';

/**
 * @typedef {import('./src/state.js').BoardState} BoardState
 * @typedef {import('./src/socket.js').LinkState} LinkState
 * @typedef {import('./src/panels.js').PanelRefs} PanelRefs
 * @typedef {ReturnType<typeof createChart>} Chart
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {BoardState} */
let state = emptyState();
/** @type {LinkState} */
let link = { status: 'connecting', attempt: 0, retryAt: null, reason: '' };
/** @type {number|null} */
let lastSeq = null;

/** Views built for the current plan; rebuilt only when the plan's shape changes. */
let layoutKey = '';
/** @type {Map<string, import('./src/grid.js').CellRefs>} */
let cells = new Map();
/** @type {Map<string, PanelRefs>} */
const panels = new Map();
/** @type {Map<string, Chart>} */
const charts = new Map();

Object.defineProperty(window, '__wallboard', {
  value: Object.freeze({
    get state() {
      return state;
    },
    get connected() {
      return link.status === 'live';
    },
    get lastSeq() {
      return lastSeq;
    },
    get link() {
      return { ...link };
    },
  }),
});

const nowSec = () => (state.asOf ? Math.floor(Date.parse(state.asOf) / 1000) : null);

/** @param {BoardState} s */
function planShape(s) {
  const p = s.plan;
  if (!p) return '';
  return JSON.stringify([
    s.timezone,
    p.types.map((t) => [t.code, t.name, t.mode]),
    p.branches.map((b) => [b.code, b.name, b.parent ?? null]),
    Object.keys(s.series).map((k) => [k, s.series[k]?.x.length]),
  ]);
}

function buildLayout() {
  for (const c of charts.values()) c.destroy();
  charts.clear();
  panels.clear();
  const host = $('panels');
  host.replaceChildren();
  const types = state.plan?.types ?? [];
  host.style.setProperty('--types', String(Math.max(1, types.length)));
  for (const t of types) {
    const p = buildPanel(t);
    panels.set(t.code, p);
    host.append(p.root);
  }
  // Charts measure their container, so they are created after the panels are in the document.
  for (const t of types) {
    const series = state.series[t.code];
    const p = panels.get(t.code);
    if (!series || !p) continue;
    charts.set(t.code, createChart(p.chart, series, { timezone: state.timezone, strict: t.mode === 'strict', nowSec: nowSec() }));
  }
  cells = state.plan ? buildGrid(/** @type {HTMLTableElement} */ ($('grid')), state.plan) : new Map();
  $('grid').style.setProperty('--cols', String(1 + (state.plan?.branches.length ?? 0)));
}

function renderAll() {
  const key = planShape(state);
  if (key !== layoutKey) {
    layoutKey = key;
    buildLayout();
  } else {
    for (const [type, chart] of charts) {
      const s = state.series[type];
      if (s) chart.update(s, nowSec());
    }
  }
  for (const byScope of Object.values(state.counters)) {
    for (const row of Object.values(byScope)) updateCell(cells.get(cellKey(row.complaintType, row.scope)), row);
  }
  for (const [type, p] of panels) updatePanel(p, state.counters[type]?.[ALL]);
  renderAlerts();
  renderHeader();
}

function renderAlerts() {
  renderTicker($('alerts'), state);
  const open = openCasesByType(state);
  for (const [type, p] of panels) setOpenCases(p, open.get(type) ?? 0);
}

function renderHeader() {
  $('as-of').textContent = dateTime(state.asOf, state.timezone);
  $('tz').textContent = state.plan ? `(${state.timezone})` : '';
  $('plan-year').textContent = state.year ? `${state.year} 年度计划` : '';
}

/** @type {WeakMap<HTMLElement, ReturnType<typeof setTimeout>>} */
const pulses = new WeakMap();

/** Briefly outlines a cell that just changed, so a viewer's eye finds it. @param {HTMLElement|undefined} node */
function pulse(node) {
  if (!node) return;
  clearTimeout(pulses.get(node));
  node.classList.remove('changed');
  void node.offsetWidth; // restart the CSS animation
  node.classList.add('changed');
  pulses.set(node, setTimeout(() => node.classList.remove('changed'), 1700));
}

/** @param {any} msg */
function onSnapshot(msg) {
  state = fromSnapshot(msg);
  lastSeq = typeof msg.seq === 'number' ? msg.seq : null;
  renderAll();
}

/** @param {any} msg */
function onMessage(msg) {
  if (typeof msg.seq === 'number') lastSeq = msg.seq;
  state.seq = lastSeq;
  if (msg.type === 'counter') {
    const { row, chartChanged } = applyCounter(state, msg);
    const refs = cells.get(cellKey(row.complaintType, row.scope));
    updateCell(refs, row);
    pulse(refs?.td);
    if (row.scope === ALL) {
      const p = panels.get(row.complaintType);
      if (p) updatePanel(p, row);
      const s = state.series[row.complaintType];
      if (chartChanged && s) charts.get(row.complaintType)?.update(s, nowSec());
    }
    renderHeader();
  } else if (msg.type === 'alert') {
    upsertAlert(state, msg);
    if (msg.asOf) state.asOf = msg.asOf;
    renderAlerts();
    renderHeader();
  }
  // Other message types (future additions) only advance seq.
}

/** @type {ReturnType<typeof setInterval>|undefined} */
let countdown;

/** @param {LinkState} s */
function onStatus(s) {
  link = s;
  const live = s.status === 'live';
  const body = document.body;
  body.classList.toggle('live', live);
  body.classList.toggle('stale', !live);
  body.classList.toggle('connecting', s.status === 'connecting' && !state.plan);
  // Before the first snapshot a plain "connecting" is honest; after it, or once a first attempt
  // has failed, the board is disconnected and must say so loudly.
  const down = !live && (!!state.plan || s.status === 'disconnected');
  body.classList.toggle('disconnected', down);
  const pill = $('conn');
  pill.dataset.status = live ? 'live' : down ? 'disconnected' : 'connecting';
  pill.textContent = live ? '● 实时' : down ? '✕ 连接中断' : '连接中…';
  $('conn-banner').hidden = !down;
  clearInterval(countdown);
  const detail = () => {
    const wait = s.retryAt ? Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000)) : 0;
    $('conn-detail').textContent =
      s.status === 'connecting' ? `${s.reason}…` : `${s.reason} · ${wait} 秒后重连`;
  };
  if (!live) {
    detail();
    if (s.retryAt) countdown = setInterval(detail, 1000);
  }
}

connectWallboard({ url: wsUrl(location), onSnapshot, onMessage, onStatus });
