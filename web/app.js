// @ts-check
// Wall-board entry point: wires the /ws link to the state reducers and the views. Rule of the
// board: numbers look live only while the link is live, a picture has been applied and the
// pipeline behind it is moving; any other moment greys them out and says so in words.
// URL: ?lang=en, ?kiosk (no controls, rotating pages, ?rotate=<seconds>), ?masked (public area),
// ?screen=<name>, ?token=<viewer token>.

import { createChart } from './src/charts.js';
import { closeDrill, drillType, openDrill } from './src/drill.js';
import { clock, dateTime, duration } from './src/format.js';
import { buildGrid, cellKey, sortGridRows, updateCell } from './src/grid.js';
import { MAX_PANELS, arrangeColumns, pickPanels } from './src/grid-columns.js';
import { arrangeRows } from './src/grid-rows.js';
import { buildHeadline, setHeadlineFresh, updateHeadline } from './src/headline.js';
import { T, langOf, setLang } from './src/i18n.js';
import { buildPanel, setOpenCases, updatePanel } from './src/panels.js';
import { connectWallboard, screenId, wsUrl } from './src/socket.js';
import { ALL, applyCounter, applyScreen, applySeries, emptyState, fromSnapshot, planPeriodNote, upsertAlert } from './src/state.js';
import { pipelineStalled, renderDeadLetters, stallNote } from './src/data-quality.js';
import { fitToScreen } from './src/fit.js';
import { openCasesByType, renderTicker } from './src/ticker.js';
import { startRotation } from './src/kiosk.js';

/**
 * @typedef {import('./src/state.js').BoardState} BoardState
 * @typedef {import('./src/socket.js').LinkState} LinkState
 * @typedef {import('./src/panels.js').PanelRefs} PanelRefs
 * @typedef {ReturnType<typeof createChart>} Chart
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const params = new URLSearchParams(location.search);
const lang = langOf(location.search);
setLang(lang);
const kiosk = params.has('kiosk');
const masked = params.has('masked');
const token = params.get('token') ?? '';
/** a pipeline this far behind is shown as stalled, not live */
const LAG_STALE_MS = Number(params.get('lagStaleMs')) || 120_000;

/** @type {BoardState} */
let state = emptyState();
/** @type {LinkState} */
let link = { status: 'connecting', attempt: 0, retryAt: null, reason: '' };
/** @type {number|null} */
let lastSeq = null;
let pipelineStale = false;
let frames = 0;

let layoutKey = '';
/** @type {Map<string, import('./src/grid.js').CellRefs>} */
let cells = new Map();
/** @type {Map<string, PanelRefs>} */
const panels = new Map();
/** @type {Map<string, Chart>} */
const charts = new Map();
const tiles = buildHeadline($('headline'));

const screen = { id: screenId(), name: (params.get('screen') ?? '').slice(0, 64), kiosk };
const rotation = kiosk ? startRotation(document.body, Number(params.get('rotate')) || 20) : null;

Object.defineProperty(window, '__wallboard', {
  value: Object.freeze({
    get state() { return state; },
    get connected() { return link.status === 'live'; },
    get lastSeq() { return lastSeq; },
    get link() { return { ...link }; },
    get pipelineStale() { return pipelineStale; },
    get page() { return rotation?.page ?? null; },
    get frames() { return frames; },
    get screenId() { return screen.id; },
    lang, kiosk, masked,
  }),
});

function staticTexts() {
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

const nowSec = () => (state.asOf ? Math.floor(Date.parse(state.asOf) / 1000) : null);

/** @param {BoardState} s */
function planShape(s) {
  const p = s.plan;
  if (!p) return '';
  return JSON.stringify([s.timezone, p.types.map((t) => [t.code, t.name, t.mode]), p.branches.map((b) => [b.code, b.name, b.parent ?? null]), Object.keys(s.series).map((k) => [k, s.series[k]?.x.length])]);
}

function buildLayout() {
  for (const c of charts.values()) c.destroy();
  charts.clear();
  panels.clear();
  closeDrill();
  const host = $('panels');
  host.replaceChildren();
  const types = state.plan?.types ?? [];
  host.style.setProperty('--types', String(Math.max(1, Math.min(types.length, MAX_PANELS))));
  host.toggleAttribute('data-many', types.length > 3);
  $('grid').toggleAttribute('data-many-rows', types.length > 4);
  for (const t of types) {
    const p = buildPanel(t);
    panels.set(t.code, p);
    host.append(p.root);
  }
  for (const t of types) {
    const series = state.series[t.code];
    const p = panels.get(t.code);
    if (!series || !p) continue;
    charts.set(t.code, createChart(p.chart, series, { timezone: state.timezone, strict: t.mode === 'strict', nowSec: nowSec(), watch: state.plan?.thresholds?.watch }));
  }
  cells = state.plan ? buildGrid(/** @type {HTMLTableElement} */ ($('grid')), state.plan) : new Map();
  delete $('grid').dataset.columns;
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
  sortGridRows(/** @type {HTMLTableElement} */ ($('grid')), state.counters);
  arrangeGrid();
  updateHeadline(tiles, state.headline);
  renderAlerts();
  renderHeader();
  renderFreshness();
}

/**
 * Many branches: the bank-wide column, the worst branches that fit, and the rest summed up. Many
 * types: charts for the worst of them.
 */
function arrangeGrid() {
  if (!state.plan) return;
  arrangeColumns(/** @type {HTMLTableElement} */ ($('grid')), state.plan, state.counters, $('grid-wrap').clientWidth);
  arrangeRows(/** @type {HTMLTableElement} */ ($('grid')), state.counters, $('grid-wrap').clientHeight);
  const codes = state.plan.types.map((t) => t.code);
  if (codes.length <= MAX_PANELS) return;
  const shown = pickPanels(codes, state.counters);
  const host = $('panels');
  for (const [code, p] of panels) p.root.hidden = !shown.includes(code);
  const order = [...shown, ...codes.filter((c) => !shown.includes(c))];
  if (order.join() === [...host.children].map((e) => /** @type {HTMLElement} */ (e).dataset.type).join()) return;
  for (const code of order) {
    const p = panels.get(code);
    if (p) host.append(p.root);
  }
}
new ResizeObserver(() => arrangeGrid()).observe($('grid-wrap'));

function renderAlerts() {
  renderTicker($('alerts'), state, { masked });
  // the server counts every open case; the ticker holds the latest MAX_ALERTS only
  const all = state.headline?.alerts?.openCasesByType, open = openCasesByType(state);
  for (const [type, p] of panels) setOpenCases(p, all ? all[type] ?? 0 : open.get(type) ?? 0);
}

function renderHeader() {
  $('as-of').textContent = dateTime(state.asOf, state.timezone);
  $('tz').textContent = state.plan ? `(${state.timezone})` : '';
  $('plan-year').textContent = state.year ? T.planYear(state.year) : '';
  const note = planPeriodNote(state, T);
  $('plan-ended').hidden = !note;
  $('plan-ended').textContent = note;
}

/** Every tile says when its numbers last changed and how far the pipeline is behind. */
function renderFreshness() {
  const p = state.pipeline;
  const lag = p == null || p.lagMs == null || link.status !== 'live' ? T.lagUnknown : `${T.lag} ${duration(p.lagMs)}`;
  const stale = pipelineStalled(p, LAG_STALE_MS);
  if (stale !== pipelineStale) {
    pipelineStale = stale;
    onStatus(link);
  }
  setHeadlineFresh(tiles, `${T.updated} ${clock(state.headline?.asOf ?? state.asOf, state.timezone)} · ${lag}`);
  for (const [type, panel] of panels) {
    panel.fresh.textContent = `${T.updated} ${clock(state.updatedAt[type] ?? state.asOf, state.timezone)} · ${lag}`;
  }
  $('grid-fresh').textContent = `${T.updated} ${clock(state.asOf, state.timezone)} · ${lag}`;
  renderDeadLetters($('dead-letters'), p, T);
  if (stale && link.status === 'live') $('conn-detail').textContent = stallNote(p, T);
}

/** @type {WeakMap<HTMLElement, Animation>} */
const pulses = new WeakMap();

/**
 * Briefly rings a cell that just changed, so a viewer's eye finds it. A Web Animation restarts
 * without forcing a layout, which matters at a few hundred changes a second; a stale board
 * runs none.
 * @param {HTMLElement|undefined} node
 */
function pulse(node) {
  if (!node || document.body.classList.contains('stale') || typeof node.animate !== 'function') return;
  pulses.get(node)?.cancel();
  pulses.set(node, node.animate([{ boxShadow: '0 0 0 4px #ffffff' }, { boxShadow: '0 0 0 4px rgba(255,255,255,0)' }], { duration: 1600, easing: 'ease-out' }));
}

/** @param {any} msg */
function onSnapshot(msg) {
  state = fromSnapshot(msg);
  lastSeq = typeof msg.seq === 'number' ? msg.seq : null;
  frames++;
  renderAll();
}

/** @param {any} msg a replay header: the picture held is still right, more frames follow */
function onResume(msg) {
  lastSeq = typeof msg.seq === 'number' ? msg.seq : lastSeq;
  frames++;
}

let sortPending = false;
let arrangePending = false;

/** @param {any} msg */
function onMessage(msg) {
  if (typeof msg.seq === 'number') lastSeq = msg.seq;
  state.seq = lastSeq;
  frames++;
  if (msg.type === 'counter') {
    const { row, chartChanged } = applyCounter(state, msg);
    const refs = cells.get(cellKey(row.complaintType, row.scope));
    updateCell(refs, row);
    pulse(refs?.td);
    if (!arrangePending) {
      arrangePending = true;
      queueMicrotask(() => {
        arrangePending = false;
        arrangeGrid();
      });
    }
    if (row.scope === ALL) {
      const p = panels.get(row.complaintType);
      if (p) updatePanel(p, row);
      const s = state.series[row.complaintType];
      if (chartChanged && s) charts.get(row.complaintType)?.update(s, nowSec());
      if (!sortPending) {
        sortPending = true;
        queueMicrotask(() => {
          sortPending = false;
          sortGridRows(/** @type {HTMLTableElement} */ ($('grid')), state.counters);
          arrangeGrid(); // the rows that fit are the worst ones, after the sort
        });
      }
    }
    renderHeader();
  } else if (msg.type === 'series') {
    if (applySeries(state, msg)) {
      const s = state.series[msg.complaintType];
      if (s) charts.get(msg.complaintType)?.update(s, nowSec());
    }
  } else if (msg.type === 'headline') {
    state.headline = msg;
    updateHeadline(tiles, msg);
    renderAlerts();
  } else if (msg.type === 'heartbeat') {
    if (msg.pipeline) state.pipeline = msg.pipeline;
    if (msg.asOf) state.heardAt = Date.parse(msg.asOf);
  } else if (msg.type === 'alert' || msg.type === 'screen') {
    // a silent wall screen is pinned above the alerts until it is back
    (msg.type === 'alert' ? upsertAlert : applyScreen)(state, msg);
    renderAlerts();
  }
}

/** @type {ReturnType<typeof setInterval>|undefined} */
let countdown;

/** @param {LinkState} s */
function onStatus(s) {
  link = s;
  const live = s.status === 'live';
  const body = document.body;
  const fresh = live && !pipelineStale;
  body.classList.toggle('live', fresh);
  body.classList.toggle('stale', !fresh);
  body.classList.toggle('pipeline-stale', live && pipelineStale);
  body.classList.toggle('connecting', s.status === 'connecting' && !state.plan);
  const down = !live && (!!state.plan || s.status === 'disconnected');
  body.classList.toggle('disconnected', down);
  const pill = $('conn');
  pill.dataset.status = live ? (pipelineStale ? 'stalled' : 'live') : down ? 'disconnected' : 'connecting';
  pill.textContent = live ? (pipelineStale ? `⚠ ${T.pipelineStale}` : T.live) : down ? T.down : T.connecting;
  $('conn-banner').hidden = !down && !(live && pipelineStale);
  $('banner-title').textContent = down ? T.disconnected : T.pipelineStale;
  clearInterval(countdown);
  countdown = undefined;
  const detail = () => {
    const wait = s.retryAt ? Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000)) : 0;
    $('conn-detail').textContent = live ? stallNote(state.pipeline, T) : s.status === 'connecting' ? `${s.reason}…` : `${s.reason} · ${T.retryIn(wait)}`;
  };
  if (!live || pipelineStale) {
    detail();
    if (s.retryAt && !live) countdown = setInterval(detail, 1000);
  }
  renderFreshness(); // lag known only while live
}

fitToScreen();
staticTexts();
$('panels').addEventListener('click', (ev) => {
  if (kiosk) return;
  const panel = /** @type {HTMLElement|null} */ (/** @type {HTMLElement} */ (ev.target).closest?.('.panel[data-type]'));
  const type = panel?.dataset.type;
  if (type && drillType() !== type) void openDrill(state, type, token);
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') closeDrill();
});
setInterval(renderFreshness, 1000);
connectWallboard({ url: wsUrl(location), onSnapshot, onResume, onMessage, onStatus, screen });
