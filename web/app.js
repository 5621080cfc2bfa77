// @ts-check
// Wall-board entry point: wires the /ws link to the state reducers and the views. Rule of the
// board: numbers look live only while the link is live, a picture has been applied and the
// pipeline behind it is moving; any other moment greys them out and says so in words.
// What the address asks of the page (?lang=en, ?kiosk, ?masked, ...): i18n.js and page-options.js.

import { createChart } from './src/charts.js';
import { closeDrill, drillType, drillView, openDrill, refreshDrill, updateDrill } from './src/drill.js';
import { clock, setText } from './src/format.js';
import { buildGrid, cellKey, pulseCell, sortGridRows, updateCell } from './src/grid.js';
import { MAX_PANELS } from './src/grid-columns.js';
import { createArranger } from './src/arrange.js';
import { lagText, linkView } from './src/link-view.js';
import { buildHeadline, setCarriedCases, setHeadlineFresh, updateHeadline } from './src/headline.js';
import { reloadForBuild } from './src/upgrade.js';
import { T, langOf, setLang } from './src/i18n.js';
import { buildPanel, showOpenCases, updatePanel } from './src/panels.js';
import { connectWallboard, screenId, wsUrl } from './src/socket.js';
import { ALL, emptyState, fromSnapshot } from './src/state.js';
import { applyMessage, clearDirty, frameScheduler, newDirty } from './src/redraw.js';
import { backlogStep, emptyBacklog, localNow } from './src/backlog.js';
import { pipelineStalled, stallNote } from './src/data-quality.js';
import { renderDataNotes, renderHeader, renderStaticTexts } from './src/topbar.js';
import { fitToScreen } from './src/fit.js';
import { fitLines } from './src/fit-text.js';
import { openCasesByType, renderTicker } from './src/ticker.js';
import { startRotation } from './src/kiosk.js';
import { pageOptions } from './src/page-options.js';
import { exposeBoard } from './src/test-hook.js';

/**
 * @typedef {import('./src/state.js').BoardState} BoardState
 * @typedef {import('./src/socket.js').LinkState} LinkState
 * @typedef {import('./src/panels.js').PanelRefs} PanelRefs
 * @typedef {ReturnType<typeof createChart>} Chart
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const lang = langOf(location.search);
setLang(lang);
const options = pageOptions(location.search);
const { kiosk, masked, token, quietMs } = options;
/** a pipeline this far behind is shown as stalled, not live */
const LAG_STALE_MS = options.lagStaleMs;

/** @type {BoardState} */
let state = emptyState();
/** @type {LinkState} */
let link = { status: 'connecting', attempt: 0, retryAt: null, reason: '' };
/** @type {number|null} */
let lastSeq = null;
let pipelineStale = false;
let frames = 0;
/** how far behind the server the page's picture is (backlog.js) */
let backlog = emptyBacklog();
/** the seq of the last frame drawn on screen */
let shownSeq = /** @type {number|null} */ (null);
const dirty = newDirty();
const frame = frameScheduler(draw);

let layoutKey = '';
/** @type {Map<string, import('./src/grid.js').CellRefs>} */
let cells = new Map();
/** @type {Map<string, PanelRefs>} */
const panels = new Map();
/** @type {Map<string, Chart>} */
const charts = new Map();
const tiles = buildHeadline($('headline'));
const arranger = createArranger({
  table: /** @type {HTMLTableElement} */ ($('grid')),
  wrap: $('grid-wrap'),
  panelsHost: $('panels'),
});

const screen = { id: screenId(), name: options.screen, kiosk };
const rotation = kiosk ? startRotation(document.body, options.rotate) : null;

exposeBoard(
  {
    state: () => state,
    link: () => link,
    lastSeq: () => lastSeq,
    shownSeq: () => shownSeq,
    redraws: () => frame.frames,
    measures: () => arranger.measures,
    behindMs: () => backlog.lagMs,
    pipelineStale: () => pipelineStale,
    page: () => rotation?.page ?? null,
    frames: () => frames,
    screenId: () => screen.id,
    drill: () => drillView(),
  },
  { lang, kiosk, masked },
);

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
    charts.set(t.code, createChart(p.chart, series, {
      timezone: state.timezone,
      strict: t.mode === 'strict',
      nowSec: nowSec(),
      watch: state.plan?.thresholds?.watch,
    }));
  }
  cells = state.plan ? buildGrid(/** @type {HTMLTableElement} */ ($('grid')), state.plan) : new Map();
  delete $('grid').dataset.columns;
  delete $('grid').dataset.columnSet;
  arranger.invalidate();
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
  renderHeader(state, T);
  renderFreshness();
  refreshDrill(state);
  fitFigures();
  shownSeq = lastSeq;
}

/** after the frame's writes: the grid's and the tiles' figures shrunk to their boxes (fit-text.js) */
function fitFigures() {
  const lines = Object.values(tiles).map((t) => ({
    box: /** @type {HTMLElement} */ (t.value.parentElement),
    fig: t.value,
  }));
  for (const refs of cells.values()) lines.push(...refs.lines);
  fitLines(lines);
}

/**
 * One redraw for everything that arrived since the last (redraw.js): what a viewer can see
 * change, and the grid's arrangement from sizes read at most once per resize.
 */
function draw() {
  const d = dirty;
  if (d.arrange) arranger.measureIfStale(); // first, while the last frame's layout holds
  for (const key of d.cells) {
    const [type = '', scope = ''] = key.split('\u0000');
    const row = state.counters[type]?.[scope];
    const refs = cells.get(key);
    if (row && updateCell(refs, row) && !document.body.classList.contains('stale')) pulseCell(refs?.td);
  }
  for (const type of d.panels) {
    const p = panels.get(type);
    if (p) updatePanel(p, state.counters[type]?.[ALL]);
  }
  for (const type of d.charts) chartsDue.add(type);
  if (d.sort) sortGridRows(/** @type {HTMLTableElement} */ ($('grid')), state.counters);
  if (d.arrange) arrangeGrid();
  drawCharts();
  if (d.headline) updateHeadline(tiles, state.headline);
  if (d.alerts) renderTicker($('alerts'), state, { masked });
  if (d.alerts || d.headline) renderOpenCases();
  if (d.header) renderHeader(state, T);
  if (d.fresh) renderFreshness();
  if (d.cells.size) updateDrill(state);
  if (d.cells.size || d.arrange || d.headline) fitFigures();
  clearDirty(d);
  shownSeq = lastSeq;
}

/** charts whose data moved while their panel was not shown are drawn when it is */
const chartsDue = new Set();
function drawCharts() {
  for (const type of chartsDue) {
    const p = panels.get(type), s = state.series[type];
    if (p?.root.hidden) continue;
    chartsDue.delete(type);
    if (s) charts.get(type)?.update(s, nowSec());
  }
}

function arrangeGrid() {
  if (!arranger.arrange(state, panels)) return;
  dirty.arrange = true; // other columns: their header's height is measured next frame
  frame.request();
}
const remeasure = () => {
  arranger.invalidate();
  dirty.arrange = true;
  frame.request();
};
new ResizeObserver(remeasure).observe($('grid-wrap'));
document.fonts?.addEventListener('loadingdone', remeasure);

function renderAlerts() {
  renderTicker($('alerts'), state, { masked });
  renderOpenCases();
}

function renderOpenCases() {
  // the server counts every open case; the ticker holds the latest MAX_ALERTS only
  const all = state.headline?.alerts?.openCasesByType;
  const off = showOpenCases(panels, all ? new Map(Object.entries(all)) : openCasesByType(state), state.alerts);
  setCarriedCases(tiles.cases, off, state.headline);
}

/** Every tile says when its numbers last changed, and how far the pipeline or this screen is behind. */
function renderFreshness() {
  const p = state.pipeline;
  const stale = pipelineStalled(p, LAG_STALE_MS);
  pipelineStale = stale;
  const lag = lagText(facts(), p, T);
  setHeadlineFresh(tiles, `${T.updated} ${clock(state.headline?.asOf ?? state.asOf, state.timezone)} · ${lag}`);
  for (const [type, panel] of panels) {
    setText(panel.fresh, `${T.updated} ${clock(state.updatedAt[type] ?? state.asOf, state.timezone)} · ${lag}`);
  }
  setText($('grid-fresh'), `${T.updated} ${clock(state.asOf, state.timezone)} · ${lag}`);
  renderDataNotes(state, T, { quietMs });
  renderStatus();
}

/** @param {any} msg */
function onSnapshot(msg) {
  // the monitor was upgraded while this screen stayed open: its scripts are the earlier version's
  if (reloadForBuild(msg.build, Date.now())) return location.reload();
  state = fromSnapshot(msg);
  lastSeq = typeof msg.seq === 'number' ? msg.seq : null;
  frames++;
  backlog = backlogStep(backlog, msg, localNow());
  clearDirty(dirty);
  chartsDue.clear();
  renderAll(); // rare (connect, plan, week): drawn at once
}

/** @param {any} msg a replay header: the picture held is still right, more frames follow */
function onResume(msg) {
  lastSeq = typeof msg.seq === 'number' ? msg.seq : lastSeq;
  frames++;
  backlog = backlogStep(backlog, msg, localNow());
}

/**
 * A live frame goes into the state at once, whatever the rate; the screen follows at the next
 * animation frame (redraw.js). Nothing here reads or writes the page.
 * @param {any} msg
 */
function onMessage(msg) {
  if (typeof msg.seq === 'number') lastSeq = msg.seq;
  state.seq = lastSeq;
  frames++;
  backlog = backlogStep(backlog, msg, localNow());
  // as far behind as a stalled pipeline: what waits in the link is older than a fresh snapshot
  if (backlog.lagMs > LAG_STALE_MS && localNow() - resyncedAt > LAG_STALE_MS) {
    resyncedAt = localNow();
    wall.resync('画面滞后，重新同步 / display behind: resync');
  }
  applyMessage(state, msg, dirty);
  frame.request();
}
let resyncedAt = -Infinity;

/** @type {ReturnType<typeof setInterval>|undefined} */
let countdown;

const facts = () => ({
  status: link.status,
  pipelineStale,
  lagMs: backlog.lagMs,
  hasPicture: !!state.plan,
  staleMs: LAG_STALE_MS,
});

/** @param {LinkState} s */
function onStatus(s) {
  link = s;
  clearInterval(countdown);
  countdown = s.retryAt && s.status !== 'live' ? setInterval(renderStatus, 1000) : undefined;
  renderFreshness(); // lag known only while live; renders the status too
}

/** The pill, the banner and the grey: idempotent, run at every change and once a second. */
function renderStatus() {
  const v = linkView(facts(), T);
  const body = document.body;
  body.classList.toggle('live', v.fresh);
  body.classList.toggle('stale', !v.fresh);
  body.classList.toggle('pipeline-stale', v.live && !v.fresh);
  body.classList.toggle('behind', v.pill === 'behind');
  body.classList.toggle('connecting', link.status === 'connecting' && !state.plan);
  body.classList.toggle('disconnected', v.down);
  const pill = $('conn');
  if (pill.dataset.status !== v.pill) pill.dataset.status = v.pill;
  setText(pill, v.pillText);
  $('conn-banner').hidden = !v.banner;
  setText($('banner-title'), v.bannerTitle);
  if (v.fresh) return;
  const wait = link.retryAt ? Math.max(0, Math.ceil((link.retryAt - Date.now()) / 1000)) : 0;
  const detail = v.live
    ? (pipelineStale ? stallNote(state.pipeline, T) : T.behindNote)
    : link.status === 'connecting' ? `${link.reason}…` : `${link.reason} · ${T.retryIn(wait)}`;
  setText($('conn-detail'), detail);
}

fitToScreen();
renderStaticTexts(lang, { kiosk, masked });
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
const wall = connectWallboard({ url: wsUrl(location), onSnapshot, onResume, onMessage, onStatus, screen });
