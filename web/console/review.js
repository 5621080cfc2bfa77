// The classification review (GET /api/classification/review): one row per ticket the classifier
// typed with low confidence. A person picks the type and confirms; the page sends a correction
// (POST /api/corrections), which flows through the pipeline, counts the ticket under that type and
// takes it off the queue. Rows someone is editing are not redrawn by the refreshes, which come
// soon while the queue keeps changing and once a minute when it is quiet (keep-fresh.js).

import { esc, fmt, useTimeContext } from './words.js';
import { timeContext, viewerZone } from './time.js';
import { mayActOn } from './access.js';
import { api, sendCorrection, withToken } from './api.js';
import { keepFresh } from './keep-fresh.js';

/** The type a reviewer picks for a ticket that belongs to no type the plan watches. */
export const OTHER_TYPE = 'other';

const $ = (id) => document.getElementById(id);
const me = $('me');
me.value = localStorage.getItem('console.me') ?? '';
me.addEventListener('change', () => localStorage.setItem('console.me', me.value.trim()));
$('back').href = withToken('/console/');

let plan = null;
let access = { mayAct: false, branches: null };
let items = [];
/** tickets whose row a person has touched or sent: kept as they are through refreshes */
const touched = new Map();
/** tickets ticked for one decision on many (most of a noisy queue is of no watched type) */
const picked = new Set();


/** the ticket's first contact: what typing it will change (a not-agreed one counts against an allowance) */
const FIRST_CONTACT = { not_agreed: '未达成一致 not agreed', agreed: '已达成一致 agreed' };
const branchName = (code) => plan?.branches.find((b) => b.code === code)?.name ?? code;
const typeName = (code) =>
  plan?.types.find((t) => t.code === code)?.name ?? (code === OTHER_TYPE ? '不属于监测类型' : code === 'unclassified' ? '未能判定 unclassified' : code);

function typeOptions(chosen) {
  return [
    `<option value="">请选择 Choose…</option>`,
    ...(plan?.types ?? []).map((t) => `<option value="${esc(t.code)}" ${t.code === chosen ? 'selected' : ''}>${esc(t.name)}</option>`),
    `<option value="${OTHER_TYPE}" ${chosen === OTHER_TYPE ? 'selected' : ''}>不属于监测类型 Not a watched type</option>`,
  ].join('');
}

function typeSelect(item, disabled) {
  const chosen = touched.get(item.ticketId)?.type ?? (plan?.types.some((t) => t.code === item.assignedType) ? item.assignedType : '');
  return `<select name="type" ${disabled ? 'disabled' : ''}>${typeOptions(chosen)}</select>`;
}

function row(item) {
  const canAct = mayActOn(access, plan, item.branch);
  const sent = touched.get(item.ticketId)?.sent;
  const model = `${esc(typeName(item.assignedType))} · ${item.confidence == null ? '—' : `${Math.round(item.confidence * 100)}%`}`;
  const action = sent
    ? `<span class="sent">已提交 ✓ ${esc(typeName(sent))}</span>`
    : canAct ? `<button class="primary" data-confirm="${esc(item.ticketId)}">确认 Confirm</button>` : '<span class="readonly">只读 read-only</span>';
  const pick = canAct && !sent ? `<input type="checkbox" name="pick" aria-label="选择 ${esc(item.ticketId)}" ${picked.has(item.ticketId) ? 'checked' : ''}>` : '';
  return `<tr data-ticket="${esc(item.ticketId)}">
    <td class="pick">${pick}</td><td class="time">${esc(fmt(item.occurredAt))}</td><td>${esc(branchName(item.branch))}</td><td class="ticket">${esc(item.ticketId)}</td>
    <td class="text">${esc(item.text) || '<span class="dim">（无文本 no text）</span>'}</td>
    <td class="contact" data-outcome="${esc(item.firstContact ?? '')}">${FIRST_CONTACT[item.firstContact] ?? '—'}</td><td class="model">${model}</td>
    <td>${typeSelect(item, !canAct || !!sent)}</td><td>${action}</td></tr>`;
}

function render() {
  const branch = $('f-branch').value;
  const shown = items.filter((i) => !branch || i.branch === branch);
  $('queue').tBodies[0].innerHTML = shown.length ? shown.map(row).join('') : '<tr><td colspan="9" class="empty">没有待确认的工单 Nothing to review</td></tr>';
  renderBulk();
}

function renderBulk() {
  $('bulk').hidden = picked.size === 0;
  $('picked').textContent = String(picked.size);
  $('pick-all').hidden = !access.mayAct;
}

/** Sends one correction; false (with the reason on screen) when it was refused. */
async function confirmTicket(item, type, by) {
  try {
    // seen: what this list showed, so that a ticket corrected since is refused (409), not undone
    const seen = { branch: item.branch, complaintType: item.assignedType };
    await sendCorrection({ by, ticketId: item.ticketId, branch: item.branch, complaintType: type, reason: '分类复核 classification review', seen });
    touched.set(item.ticketId, { type, sent: type });
    picked.delete(item.ticketId);
    return true;
  } catch (err) {
    $('error').textContent = `${item.ticketId}: ${err.message}`;
    return false;
  }
}

function reviewer() {
  const by = me.value.trim();
  if (!by) { $('error').textContent = '请先填写你的名字 Enter your name first'; me.focus(); return null; }
  localStorage.setItem('console.me', by);
  return by;
}

// Reads are numbered: a slow read (the periodic one, asked before a confirmation) answering after
// a newer one (Refresh, after the ticket left the queue) would put the confirmed row back (audit
// AA, P3). An answer older than the one shown is dropped.
let readsAsked = 0;
let readShown = 0;
let shownAnswer = null;
let loadFailed = false;

/** Reads the queue and shows it; resolves to the answer's text (null when it failed). */
async function load() {
  const asked = ++readsAsked;
  try {
    const r = await api('/api/classification/review?limit=500');
    if (asked < readShown) return shownAnswer;
    readShown = asked;
    const answer = JSON.stringify(r);
    if (loadFailed) { $('error').textContent = ''; loadFailed = false; }
    if (answer === shownAnswer) return answer; // unchanged: an open type list stays open
    shownAnswer = answer;
    items = r.items;
    $('count').textContent = `${r.total > items.length ? `${items.length} / ${r.total}` : r.total} · 未达成一致 ${r.notAgreed}`;
    for (const b of new Set(items.map((i) => i.branch))) {
      if (![...$('f-branch').options].some((o) => o.value === b)) $('f-branch').add(new Option(branchName(b), b));
    }
    render();
    return answer;
  } catch (err) {
    if (asked < readShown) return null;
    $('error').textContent = err.message;
    loadFailed = true;
    return null;
  }
}

$('queue').addEventListener('change', (e) => {
  const tr = e.target.closest('tr[data-ticket]');
  if (tr && e.target.name === 'type') touched.set(tr.dataset.ticket, { ...touched.get(tr.dataset.ticket), type: e.target.value });
  if (tr && e.target.name === 'pick') {
    if (e.target.checked) picked.add(tr.dataset.ticket);
    else picked.delete(tr.dataset.ticket);
    renderBulk();
  }
});

$('pick-all').addEventListener('change', (e) => {
  for (const box of $('queue').querySelectorAll('input[name="pick"]')) {
    box.checked = e.target.checked;
    const ticket = box.closest('tr').dataset.ticket;
    if (box.checked) picked.add(ticket);
    else picked.delete(ticket);
  }
  renderBulk();
});

// One decision for many tickets, sent one correction each (the same path as a single confirm),
// in order, stopping at the first refusal so nothing is half-said without the reviewer knowing.
$('bulk-confirm').addEventListener('click', async (e) => {
  const type = $('bulk-type').value;
  const by = reviewer();
  if (!by) return;
  if (!type) { $('error').textContent = '请选择批量确认的类型 Choose the type for the selected tickets'; return; }
  const chosen = items.filter((i) => picked.has(i.ticketId));
  e.target.disabled = true;
  let done = 0;
  for (const item of chosen) {
    if (!(await confirmTicket(item, type, by))) break;
    $('bulk-progress').textContent = `已提交 ${++done} / ${chosen.length}`;
  }
  if (done === chosen.length) $('error').textContent = '';
  e.target.disabled = false;
  $('pick-all').checked = false;
  render();
});

$('queue').addEventListener('click', async (e) => {
  const ticketId = e.target.dataset?.confirm;
  if (!ticketId) return;
  const item = items.find((i) => i.ticketId === ticketId);
  const type = e.target.closest('tr').querySelector('select[name="type"]').value;
  const by = reviewer();
  if (!by) return;
  if (!type) { $('error').textContent = `请为工单 ${ticketId} 选择类型 Choose a type first`; return; }
  e.target.disabled = true;
  if (await confirmTicket(item, type, by)) $('error').textContent = '';
  else e.target.disabled = false;
  render();
});

// a ticked ticket the branch filter hides must not be confirmed unseen
$('f-branch').addEventListener('change', () => { picked.clear(); $('pick-all').checked = false; render(); });
$('refresh').addEventListener('click', load);

Promise.all([api('/api/plan'), api('/api/me').catch(() => access)])
  .then(([p, a]) => { plan = p; access = a; useTimeContext(timeContext(p.timezone, Date.now(), viewerZone())); $('bulk-type').innerHTML = typeOptions(''); })
  .catch((err) => { $('error').textContent = err.message; })
  .finally(() => keepFresh(load));
