// Supervisor console: live open alerts (snapshot + /ws `alert` messages), filters, the alert's
// history and the actions on it. Token from ?token= (never stored); the person's name in
// localStorage. No framework: the DOM is rebuilt from one Map of alerts on each change.

import { KIND_ZH, LADDER_ZH, LEVEL_ZH, STATUS_ZH, URGENCY_ZH, WHAT_ZH, esc, fmt } from './words.js';
import { mayActOn } from './access.js';
import { api, withToken } from './api.js';
import { showReviewCount } from './review-count.js';
import { applyScreen, renderScreens, screensFromSnapshot } from './screens.js';

const alerts = new Map();
let reasons = [];
let selected = null;
let plan = null;
const $ = (id) => document.getElementById(id);
const me = $('me');
me.value = localStorage.getItem('console.me') ?? '';
me.addEventListener('change', () => localStorage.setItem('console.me', me.value.trim()));



function upsert(a, live) {
  const known = alerts.has(a.id);
  if (a.status === 'resolved') alerts.delete(a.id);
  else alerts.set(a.id, a);
  if (live && !known && a.status !== 'resolved' && a.level === 'critical') cue(a);
  return !known;
}

function cue(a) {
  const b = $('banner');
  b.hidden = false;
  b.textContent = `新的严重预警 New critical alert: ${subject(a)}${a.ticketId ? ` · ${a.ticketId}` : ''}`;
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

/** A case's ladder step on its history line: 案件升级：三方调解. */
const step = (h) => (h.detail?.escalation ? `：${esc(LADDER_ZH[h.detail.escalation] ?? h.detail.escalation)}` : '');

/** The plan's Chinese name of a type (住房贷款提前还款), its code when the plan does not know it. */
function typeName(code) {
  return plan?.types.find((t) => t.code === code)?.name ?? code;
}

/** The plan's name of a branch (朝阳支行), 全行 for ALL, its code when the plan does not know it. */
function scopeName(code) {
  if (code === 'ALL') return '全行';
  return plan?.branches.find((b) => b.code === code)?.name ?? code;
}

/** What an alert is about: a type at a branch. */
function subject(a) {
  return `${typeName(a.complaintType)} · ${scopeName(a.scope)}`;
}


// The caller (GET /api/me): a supervisor limited to some branches acts only on their alerts (the
// server checks each action again); the list shows those first-hand and the rest read-only.
let access = { role: 'viewer', branches: null, mayAct: false };
function mayAct(a) {
  return mayActOn(access, plan, a.scope);
}

function fillFilter(id, values, label = (v) => v) {
  const sel = $(id);
  const current = sel.value;
  for (const v of values) if (![...sel.options].some((o) => o.value === v)) sel.add(new Option(label(v), v));
  sel.value = current;
}

// A burst of alert messages (a correction, a start) redraws the list once per frame, not once each.
const freshIds = new Set();
let frame = 0;
function renderSoon() {
  frame ||= requestAnimationFrame(() => {
    frame = 0;
    render(new Set(freshIds));
    freshIds.clear();
  });
}

function render(fresh = new Set()) {
  if (access.branches) $('my-branches').textContent = `(${access.branches.map(scopeName).join('、')})`; // names once the plan is in
  const [ft, fs, fl] = [$('f-type').value, $('f-scope').value, $('f-level').value];
  // the export holds what the list shows (for a case meeting's papers)
  $('export').href = withToken(`/api/alerts?status=open&format=csv${[['type', ft], ['scope', fs], ['level', fl]].map(([k, v]) => (v ? `&${k}=${encodeURIComponent(v)}` : '')).join('')}`);
  fillFilter('f-type', plan?.types.map((t) => t.code) ?? [...new Set([...alerts.values()].map((a) => a.complaintType))], typeName);
  fillFilter('f-scope', ['ALL', ...(plan?.branches.map((b) => b.code) ?? [])], (code) => (code === 'ALL' ? '全行' : `${scopeName(code)} ${code}`));
  const rank = { critical: 3, breach: 2, watch: 1, ok: 0 };
  const shown = [...alerts.values()]
    .filter((a) => (!ft || a.complaintType === ft) && (!fs || a.scope === fs) && (!fl || a.level === fl))
    .filter((a) => !access.branches || !$('f-mine').checked || mayAct(a))
    // unacknowledged first, then by level, newest first
    .sort((a, b) => (b.status === 'open') - (a.status === 'open') || rank[b.level] - rank[a.level] || (b.openedAt > a.openedAt ? 1 : -1));
  $('list').innerHTML = shown.length
    ? shown.map((a) => `<li data-id="${esc(a.id)}" data-level="${esc(a.level)}" data-status="${esc(a.status)}" class="${a.id === selected ? 'selected' : ''} ${fresh.has(a.id) ? 'new' : ''}">
        <div><span class="pill ${esc(a.level)}">${esc(LEVEL_ZH[a.level] ?? a.level)}</span> <b>${esc(subject(a))}</b> ${a.ticketId ? `· 工单 ${esc(a.ticketId)}` : ''}</div>
        <div class="meta">${esc(KIND_ZH[a.kind] ?? a.kind)} · <span class="status">${esc(STATUS_ZH[a.status] ?? a.status)}</span> · ${esc(fmt(a.openedAt))} · 值班第${a.onCall?.level ?? 1}级${a.urgency ? ` · <span class="urgency" data-urgency="${esc(a.urgency)}">${esc(URGENCY_ZH[a.urgency] ?? a.urgency)}</span>` : ''}${access.mayAct && !mayAct(a) ? ' · <span class="readonly">只读 read-only</span>' : ''}</div></li>`).join('')
    : '<li class="empty">没有待处理的预警 No open alerts</li>';
  renderDetail();
}

/** The plan's types, as the type filter lists them. */
function typeOptions(current) {
  return [...$('f-type').options].filter((o) => o.value).map((o) => `<option value="${esc(o.value)}" ${o.value === current ? 'selected' : ''}>${esc(o.textContent)}</option>`).join('');
}

// What the last action answered stays on screen through live updates of the same alert (the
// detail is redrawn on every update, and a correction's own update comes within milliseconds).
let notice = { id: undefined, text: '' };
function say(text) {
  notice = { id: selected, text };
  $('d-error').textContent = text;
}

function renderDetail() {
  const d = $('detail');
  const a = selected && alerts.get(selected);
  d.hidden = false;
  // an empty pane beside the list looked broken on a wide screen; say what it is for
  if (!a) { d.innerHTML = '<p class="meta hint">选择左侧的预警：查看历史，确认、上报、指派或更正工单。<br>Select an alert on the left to see its history and act on it.</p>'; return; }
  if (access.branches && !mayAct(a)) return renderReadOnlyDetail(d, a);
  const forecast = a.forecast?.week ? `预计第 ${a.forecast.week} 周超出累计管控值 (forecast week ${a.forecast.week})` : '';
  const burn = a.burn ? `消耗速度 burn: 1天 ${a.burn.fast.rate ?? '–'} / 7天 ${a.burn.slow.rate ?? '–'}` : '';
  d.innerHTML = `<h2><span class="pill ${esc(a.level)}">${esc(LEVEL_ZH[a.level] ?? a.level)}</span> ${esc(subject(a))}</h2>
    <div class="meta">${esc(a.id)} · <b id="d-status">${esc(STATUS_ZH[a.status] ?? a.status)}</b>${a.ack ? ` · 确认人 ${esc(a.ack.by)} (${esc(a.ack.reason)})` : ''}${a.assignee ? ` · 指派 ${esc(a.assignee)}` : ''}${a.deadline ? ` · 办理期限 ${esc(fmt(a.deadline))}` : ''}</div>
    <div class="meta">${esc(forecast)} ${esc(burn)} · 通知 ${esc((a.onCall?.notify ?? []).join(', '))}</div>
    <div class="actions">
      <form data-action="ack"><select name="reason">${reasons.map((r) => `<option>${esc(r)}</option>`).join('')}</select><button class="primary" ${a.status !== 'open' ? 'disabled' : ''}>确认 Acknowledge</button></form>
      <form data-action="escalate"><button>上报 Escalate</button></form>
      <form data-action="note"><input name="text" placeholder="备注 note" required maxlength="2000"><button>备注</button></form>
      <form data-action="notice"><input name="to" placeholder="发往 机构/部门" required maxlength="120"><input name="text" placeholder="消保提示书内容" required maxlength="4000"><button>发提示书 Notice</button></form>
      <form data-action="assign"><input name="to" placeholder="指派给" required maxlength="80"><button>指派 Assign</button></form>
      <form data-action="correct" class="correct">
        <input name="ticketId" placeholder="工单号 ticket" required maxlength="128" value="${esc(a.ticketId ?? '')}">
        <select name="complaintType" aria-label="更正类型">${typeOptions(a.complaintType)}</select>
        <input name="branch" placeholder="机构 branch" required maxlength="64" value="${esc(a.scope === 'ALL' ? '' : a.scope)}">
        <select name="outcome" aria-label="首轮结果"><option value="">结果不变 outcome unchanged</option><option value="agreed">达成一致 agreed</option><option value="not_agreed">未达成一致 not agreed</option></select>
        <input name="reason" placeholder="更正原因 reason" maxlength="500">
        <button>更正工单 Correct</button>
      </form>
      <div class="error" id="d-error">${notice.id === a.id ? esc(notice.text) : ''}</div>
    </div>
    <h3>历史 History</h3>
    <ol class="history">${a.history.map((h) => `<li><b>${esc(fmt(h.at))}</b> ${esc(WHAT_ZH[h.what] ?? h.what)}${step(h)}${h.level ? ` [${esc(h.level)}]` : ''}${h.by ? ` · <span class="who">${esc(h.by)}</span>` : ''}${h.reason ? ` · ${esc(h.reason)}` : ''}${h.detail?.text ? ` · ${esc(h.detail.text)}` : ''}${h.detail?.to ? ` → ${esc(h.detail.to)}` : ''}</li>`).join('')}</ol>`;
}

/** An alert outside a limited supervisor's branches: what it is and its history, no actions. */
function renderReadOnlyDetail(d, a) {
  d.innerHTML = `<h2><span class="pill ${esc(a.level)}">${esc(LEVEL_ZH[a.level] ?? a.level)}</span> ${esc(subject(a))}</h2>
    <div class="meta">${esc(a.id)} · <b id="d-status">${esc(STATUS_ZH[a.status] ?? a.status)}</b></div>
    <p class="meta readonly-note">此预警不在你的机构范围内（${esc(access.branches.map(scopeName).join('、'))}），只读。This alert is outside your branches: read-only.</p>
    <h3>历史 History</h3>
    <ol class="history">${(a.history ?? []).map((h) => `<li><b>${esc(fmt(h.at))}</b> ${esc(WHAT_ZH[h.what] ?? h.what)}${step(h)}${h.by ? ` · <span class="who">${esc(h.by)}</span>` : ''}</li>`).join('')}</ol>`;
}

$('list').addEventListener('click', (e) => {
  const li = e.target.closest('li[data-id]');
  if (!li) return;
  selected = li.dataset.id;
  render();
});
$('detail').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.target;
  const by = me.value.trim();
  if (!by) { say('请先填写你的名字 Enter your name first'); me.focus(); return; }
  localStorage.setItem('console.me', by);
  const body = { by, ...Object.fromEntries(new FormData(form)) };
  if (form.dataset.action === 'correct') {
    // A correction is a ticket event: it flows through the pipeline and amends the alerts it touches.
    if (!body.outcome) delete body.outcome;
    if (!body.reason) delete body.reason;
    try {
      const r = await api('/api/corrections', body);
      say(`已提交更正 ${r.eventId} — correction sent`);
    } catch (err) {
      say(err.message);
    }
    return;
  }
  try {
    const a = await api(`/api/alerts/${encodeURIComponent(selected)}/${form.dataset.action}`, body);
    upsert(a, false);
    if (a.status === 'resolved') selected = null;
    render();
  } catch (err) {
    say(err.message);
  }
});
for (const id of ['f-type', 'f-scope', 'f-level', 'f-mine']) $(id).addEventListener('change', () => render());
api('/api/me').then((r) => {
  access = r;
  $('mine-box').hidden = !r.branches;
  render();
}).catch(() => {});

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${withToken('/ws')}`);
  ws.onopen = () => { $('conn').dataset.state = 'live'; $('conn').textContent = '实时 live'; };
  ws.onclose = () => { $('conn').dataset.state = 'closed'; $('conn').textContent = '已断开，重连中 reconnecting'; setTimeout(connect, 2000); };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === 'snapshot') {
      plan = msg.plan ?? plan;
      alerts.clear();
      for (const a of msg.alerts ?? []) upsert(a, false);
      screensFromSnapshot(msg.screens);
      renderScreens($('screens'));
      render();
    } else if (msg.type === 'screen') {
      applyScreen(msg);
      renderScreens($('screens'));
    } else if (msg.type === 'alert') {
      if (upsert(msg, true)) freshIds.add(msg.id);
      renderSoon();
    }
  };
}

showReviewCount($('review-link'));
api('/api/alerts?status=open').then((r) => { reasons = r.ackReasons ?? []; for (const a of r.alerts) upsert(a, false); render(); }).catch((err) => { $('conn').textContent = err.message; });
connect();
