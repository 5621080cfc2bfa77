// Supervisor console: live open alerts (snapshot + /ws `alert` messages), filters, the alert's
// history and the actions on it. Token from ?token= (never stored); the person's name in
// localStorage. No framework: the DOM is rebuilt from one Map of alerts on each change, except
// the detail pane's forms, which hold what a person is typing (detail-pane.js).

import { esc, fmt, useTimeContext } from './words.js';
import { mayActOn } from './access.js';
import { api, sendCorrection, withToken } from './api.js';
import { compareAlerts, levelWord, listRowHtml } from './alert-view.js';
import { DetailPane } from './detail-pane.js';
import { fillSelect } from './filters.js';
import { showReviewCount } from './review-count.js';
import { applyScreen, renderScreens, screensFromSnapshot } from './screens.js';
import { isoInZone, timeContext, viewerZone } from './time.js';
import { LiveMarks } from './freshness.js';
import { noteBuild, showPipelineBanners } from './banners.js';
import { submitFlows } from './submit.js';
import { linkShown, silenceWatch } from './link-watch.js';
import { exportPath, filtersOf, shownAlerts } from './list-filter.js';
import { showDataNotice, showWeeklyLink } from './top-links.js';
import { learnNamesBefore, namesBefore } from './names-before.js';

const alerts = new Map();
// Resolved alerts the page has seen (live, or listed for 含已解除): shown, and reopened, only with that box ticked.
const closed = new Map();
// The cells' counter rows (snapshot, then counter frames): a level alert's figures now.
const cells = new Map();
const cellKey = (type, scope) => `${type}|${scope}`;
const anyAlert = { get: (id) => alerts.get(id) ?? closed.get(id) };
const pane = new DetailPane(document.getElementById('detail'));
const liveMarks = new LiveMarks();
let reasons = [];
let selected = null;
let plan = null;
// The selected alert when it ended (resolved, closed, withdrawn): the pane says so and why.
let ended = null;
// The caller (GET /api/me): a viewer reads only; a supervisor limited to some branches acts only
// on their alerts (the server checks each action again); the list shows those first-hand and the
// rest read-only. Until /api/me answers no action is offered.
let access = { role: null, branches: null, mayAct: false };
// A burst of alert messages (a correction, a start) redraws the list once per frame, not once each.
const freshIds = new Set();
let frame = 0;
// What the last action answered stays on screen through live updates of the same alert (the
// detail is redrawn on every update, and a correction's own update comes within milliseconds).
let notice = { id: undefined, text: '' };
let lastBatchAt; // the pipeline's last stored batch, as the last heartbeat said

const $ = (id) => document.getElementById(id);
const me = $('me');
me.value = localStorage.getItem('console.me') ?? '';
me.addEventListener('change', () => localStorage.setItem('console.me', me.value.trim()));

function upsert(a, live) {
  const known = alerts.has(a.id);
  if (a.status === 'resolved') {
    alerts.delete(a.id);
    closed.set(a.id, a);
    if (a.id === selected && known && !$('f-resolved').checked) ended = a;
  } else {
    closed.delete(a.id);
    alerts.set(a.id, a);
  }
  if (live && !known && a.status !== 'resolved' && a.level === 'critical') cue(a);
  return !known;
}

function cue(a) {
  const b = $('banner');
  b.hidden = false;
  b.textContent = `新的${levelWord(a)}预警 New critical alert: ${subject(a)}${a.ticketId ? ` · ${a.ticketId}` : ''}`;
  clearTimeout(cue.t);
  cue.t = setTimeout(() => (b.hidden = true), 15000);
  try {
    const ctx = (cue.ctx ??= new AudioContext());
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.2, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.6);
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.6);
  } catch { /* audio needs a user gesture first on some browsers */ }
}

/** The plan's Chinese name of a type (住房贷款提前还款), else the year before's, else its code. */
function typeName(code) {
  return plan?.types.find((t) => t.code === code)?.name ?? namesBefore.types[code] ?? code;
}

/** The plan's name of a branch (朝阳支行), 全行 for ALL, else the year before's, else its code. */
function scopeName(code) {
  if (code === 'ALL') return '全行';
  return plan?.branches.find((b) => b.code === code)?.name ?? namesBefore.branches[code] ?? code;
}

/** What an alert is about: a type at a branch. */
function subject(a) {
  return `${typeName(a.complaintType)} · ${scopeName(a.scope)}`;
}

function mayAct(a) {
  return mayActOn(access, plan, a.scope);
}

/** Why this caller may not act on an alert, shown instead of the actions. */
function readOnlyNote() {
  if (!access.role) return '正在确认此令牌的权限… Checking what this token may do…';
  if (!access.mayAct) return `你的令牌只能查看（${access.role}），不能确认或操作。This token may only view: read-only.`;
  return `此预警不在你的机构范围内（${(access.branches ?? []).map(scopeName).join('、')}），只读。This alert is outside your branches: read-only.`;
}

/** What the alert views need of the page: names, the zone, the ladder, the caller's rights on `a`. */
function viewContext(a) {
  return {
    typeName, scopeName, reasons, typeOptions,
    at: (ms) => fmt(isoInZone(ms, plan?.timezone ?? viewerZone())),
    ladder: plan?.onCall ?? null,
    mayAct: Boolean(a && mayAct(a)),
    readOnlyNote: readOnlyNote(),
    notice: notice.id === a?.id ? notice.text : '',
    cellNow: (x) => cells.get(cellKey(x.complaintType, x.scope)),
  };
}

/** The plan came (first snapshot, a plan change): names, zone and ladder with it. */
function usePlan(next) {
  plan = next ?? plan;
  if (!plan) return;
  const zone = viewerZone();
  const times = timeContext(plan.timezone, Date.now(), zone);
  useTimeContext(times);
  // the times are the plan's; say whose when the viewer's clock is in another zone (the wall does)
  $('zone').hidden = !times.showOffset;
  $('zone').textContent = `时间为计划时区 ${plan.timezone} times in the plan's zone`;
}

function renderSoon() {
  frame ||= requestAnimationFrame(() => {
    frame = 0;
    render(new Set(freshIds));
    freshIds.clear();
  });
}

function render(fresh = new Set()) {
  // the branches' names once the plan is in
  if (access.branches) $('my-branches').textContent = `(${access.branches.map(scopeName).join('、')})`;
  // the export holds what the list shows (list-filter.js)
  const f = filtersOf($, access.branches);
  $('export').href = withToken(exportPath(f));
  // the plan's, then those only listed alerts have (a carried case of a type or branch the plan dropped)
  const listed = [...alerts.values(), ...closed.values()];
  fillSelect($('f-type'), [...new Set([...(plan?.types.map((t) => t.code) ?? []), ...listed.map((a) => a.complaintType)])], typeName);
  const scopeLabel = (code) => (code === 'ALL' ? '全行' : scopeName(code) === code ? code : `${scopeName(code)} ${code}`);
  fillSelect($('f-scope'), [...new Set(['ALL', ...(plan?.branches.map((b) => b.code) ?? []), ...listed.map((a) => a.scope)])], scopeLabel);
  const shown = shownAlerts(alerts.values(), closed.values(), f, mayAct).sort(compareAlerts);
  const ctx = viewContext(null);
  // a viewer reads every row; "read-only" marks the rows a limited supervisor may not act on
  $('list').innerHTML = shown.length
    ? shown.map((a) => listRowHtml(a, ctx, {
      selected: a.id === selected, fresh: fresh.has(a.id), readOnly: access.mayAct && !mayAct(a),
    })).join('')
    : '<li class="empty">没有待处理的预警 No open alerts</li>';
  renderDetail();
}

/** The plan's types for the correction form (the filter's list before the plan is in). */
function typeOptions(current) {
  const types = plan?.types.map((t) => [t.code, t.name])
    ?? [...$('f-type').options].filter((o) => o.value).map((o) => [o.value, o.textContent]);
  return types
    .map(([code, name]) => `<option value="${esc(code)}" ${code === current ? 'selected' : ''}>${esc(name)}</option>`)
    .join('');
}

/** Says `text` on alert `id`'s pane: now if it is shown, else when it is selected again. */
function say(text, id = selected) {
  notice = { id, text };
  if (id !== selected) return;
  const line = $('d-error');
  if (line) line.textContent = text;
}

/** What the detail pane's forms offer for `a`: when it changes they are rebuilt, keeping the person's edits. */
function formsKey(a, ctx) {
  const types = plan?.types.map((t) => `${t.code}=${t.name}`) ?? [];
  const note = ctx.mayAct ? '' : ctx.readOnlyNote;
  return JSON.stringify([ctx.mayAct, note, reasons, types, a.ticketId, a.complaintType, a.scope, a.status === 'resolved']);
}

function renderDetail() {
  const a = selected && (alerts.get(selected) ?? ($('f-resolved').checked ? closed.get(selected) : undefined));
  $('detail').hidden = false;
  if (!a && ended?.id === selected) pane.showEnded(ended, viewContext(ended));
  else if (!a) pane.showHint();
  else {
    const ctx = viewContext(a);
    pane.show(a, ctx, formsKey(a, ctx));
  }
}

$('list').addEventListener('click', (e) => {
  const li = e.target.closest('li[data-id]');
  if (!li) return;
  selected = li.dataset.id;
  ended = null;
  render();
});
const { submitCorrection, submitAction } = submitFlows({
  api, sendCorrection, pane, alerts: anyAlert, liveMarks, upsert, render, say, lastSaid: () => notice,
});
$('detail').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.target;
  const by = me.value.trim();
  if (!by) { say('请先填写你的名字 Enter your name first'); me.focus(); return; }
  localStorage.setItem('console.me', by);
  const fields = { by, ...Object.fromEntries(new FormData(form)) };
  if (form.dataset.action === 'correct') await submitCorrection(form, selected, fields);
  else await submitAction(form, selected, fields);
});
for (const id of ['f-type', 'f-scope', 'f-level', 'f-now', 'f-mine']) $(id).addEventListener('change', () => render());
// 含已解除: the resolved alerts (not those withdrawn, which never were), newest first, for 重开
$('f-resolved').addEventListener('change', () => {
  render();
  if (!$('f-resolved').checked) return;
  const asked = liveMarks.mark();
  api('/api/alerts?status=existing&limit=500').then((r) => {
    for (const a of r.alerts) if (a.status === 'resolved' && liveMarks.copyIsCurrent(a.id, asked)) upsert(a, false);
    render();
  }).catch((err) => say(err.message));
});
api('/api/me').then((r) => {
  access = r;
  $('mine-box').hidden = !r.branches;
  $('me-box').hidden = !r.mayAct; // a viewer takes no action, so gives no name
  render();
}).catch((err) => { $('conn').textContent = err.message; }); // no actions offered without an answer

const seeLink = linkShown();
let socket = null;

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}${withToken('/ws?view=console')}`);
  socket = ws;
  // a hung monitor keeps TCP open and sends nothing: given up on after three heartbeats
  const silence = silenceWatch(() => { socket = null; ws.close(); reconnect('silent'); });
  const reconnect = (why) => { silence.stop(); seeLink({ link: why }); setTimeout(connect, 2000); };
  ws.onopen = () => { silence.heard(null); seeLink({ link: 'live' }); };
  ws.onclose = () => { if (socket === ws) reconnect('closed'); };
  ws.onmessage = (m) => {
    if (socket !== ws) return;
    const msg = JSON.parse(m.data);
    silence.heard(msg);
    if (msg.type === 'snapshot') {
      usePlan(msg.plan);
      learnNamesBefore(msg.headline);
      noteBuild(msg.build);
      showDataNotice($('data-notice'), msg.dataNotice);
      showWeeklyLink($('weekly-link'), plan, Date.parse(msg.asOf ?? '') || Date.now());
      cells.clear();
      for (const row of msg.counters ?? []) cells.set(cellKey(row.complaintType, row.scope), row);
      liveMarks.sawSnapshot();
      lastBatchAt = msg.pipeline?.lastBatchAt ?? null;
      showPipelineBanners(msg.pipeline);
      seeLink({ pipeline: msg.pipeline ?? null });
      alerts.clear();
      for (const a of msg.alerts ?? []) upsert(a, false);
      screensFromSnapshot(msg.screens);
      renderScreens($('screens'));
      render();
    } else if (msg.type === 'headline') {
      if (learnNamesBefore(msg)) renderSoon();
    } else if (msg.type === 'heartbeat') {
      // the pipeline stored a batch since the last heartbeat: tickets may have joined the review queue
      const batch = msg.pipeline?.lastBatchAt;
      if (batch && batch !== lastBatchAt && lastBatchAt !== undefined) reviewCount.soon();
      lastBatchAt = batch ?? null;
      showPipelineBanners(msg.pipeline);
      seeLink({ pipeline: msg.pipeline ?? null });
    } else if (msg.type === 'screen') {
      applyScreen(msg);
      renderScreens($('screens'));
    } else if (msg.type === 'counter') {
      cells.set(cellKey(msg.complaintType, msg.scope), msg);
      const a = selected && anyAlert.get(selected);
      if (a && cellKey(a.complaintType, a.scope) === cellKey(msg.complaintType, msg.scope)) renderSoon();
    } else if (msg.type === 'alert') {
      liveMarks.sawAlert(msg.id);
      if (upsert(msg, true)) freshIds.add(msg.id);
      renderSoon();
    }
  };
}

const reviewCount = showReviewCount($('review-link'));
const listAsked = liveMarks.mark();
api('/api/alerts?status=open').then((r) => {
  reasons = r.ackReasons ?? [];
  for (const a of r.alerts) if (liveMarks.copyIsCurrent(a.id, listAsked)) upsert(a, false);
  render();
}).catch((err) => { $('conn').textContent = err.message; });
connect();
