// What the console shows of an alert: its row in the list, its detail pane (with the actions
// only for a caller who may take them), its history, and the pane of one that just ended. Plain
// functions from an alert and a context to HTML text; app.js holds the state and the events.
//
// ctx: { typeName(code), scopeName(code), at(ms) → time text, ladder (the plan's onCall),
//        mayAct (this caller on this alert), readOnlyNote (why not, when not), reasons,
//        typeOptions (the correction form's type list), notice (the last action's answer),
//        unsent (the ended alert's forms held what a person had not sent),
//        cellNow(a) → the counter row of a level alert's cell now, when the page has it }

import { CASE_LEVEL_ZH, KIND_ZH, LADDER_ZH, LEVEL_ZH, RESOLUTION_ZH, STATUS_ZH, URGENCY_LEVEL, esc, fmt, notifyText, reasonText } from './words.js';
import { nextClimb } from './on-call.js';
import { FIRST_NOTICE, credentialHtml, historyHtml, roundText } from './history-view.js';

export { credentialHtml, historyHtml, historyLineHtml } from './history-view.js';
import { cellNowText, levelNow, nowPillHtml } from './level-now.js';

const RANK = { critical: 3, breach: 2, watch: 1, ok: 0 };
const instant = (iso) => Date.parse(iso ?? '') || 0;

/**
 * The list's order: unacknowledged first, then the higher level, then the one waiting longest
 * (a supervisor on duty takes the oldest unacknowledged case first, not the newest).
 */
export function compareAlerts(a, b) {
  return (b.status === 'open') - (a.status === 'open') || (RANK[b.level] ?? 0) - (RANK[a.level] ?? 0)
    || instant(a.openedAt) - instant(b.openedAt) || String(a.id).localeCompare(String(b.id));
}

/** The level's word: a case's level is its urgency (新案 / 无进展 / 超期, as the wall says), not an allowance level. */
export function levelWord(a) {
  if (a.kind === 'case') return CASE_LEVEL_ZH[URGENCY_LEVEL[a.urgency] ?? a.level] ?? a.level;
  return LEVEL_ZH[a.level] ?? a.level;
}

/** The level's pill; a level alert whose level moved since its highest says both: 最高 超标 · 现 关注. */
const pill = (a) => `<span class="pill ${esc(a.level)}${a.kind === 'case' ? ' urgency' : ''}"${a.urgency ? ` data-urgency="${esc(a.urgency)}"` : ''}>${levelNow(a) ? '最高 ' : ''}${esc(levelWord(a))}</span>${nowPillHtml(a)}`;

/** How far up its own ladder (case meeting → mediation → management) the complaint has gone, as the wall's ticker says it. */
export function caseStep(history) {
  const ladder = Object.keys(LADDER_ZH);
  let furthest = -1;
  for (const h of history ?? []) if (h?.what === 'case-escalated') furthest = Math.max(furthest, ladder.indexOf(h.detail?.escalation));
  return furthest < 0 ? null : ladder[furthest];
}

/** A level alert's forecast: a breach to come, or one that has already happened. */
export function forecastText(forecast) {
  if (forecast?.alreadyBreached) return '已超出累计管控值 (already beyond the allowance to date)';
  if (forecast?.week) return `预计第 ${forecast.week} 周超出累计管控值 (forecast week ${forecast.week})`;
  return '';
}

/** When an unacknowledged alert goes to the next on-call level, and to whom; '' when nothing is due. */
export function climbText(a, ctx) {
  if (a.status !== 'open' || !ctx.ladder) return '';
  const next = nextClimb(a, ctx.ladder);
  if (!next) return '值班通知已到最后一级 on-call ladder walked';
  return `未确认则 ${ctx.at(next.atMs)} 升至值班第${next.level}级${roundText(next.round)}：${notifyText(next.notify)}`;
}

/** A row of the list: what, since when, the deadline and the ladder step of a case, the on-call level and its next climb. */
export function listRowHtml(a, ctx, { selected = false, fresh = false, readOnly = false } = {}) {
  const step = a.kind === 'case' ? caseStep(a.history) : null;
  const next = nextClimb(a, ctx.ladder);
  const meta = [
    esc(KIND_ZH[a.kind] ?? a.kind),
    `<span class="status">${esc(STATUS_ZH[a.status] ?? a.status)}</span>`,
    `开启 ${esc(fmt(a.openedAt))}`,
    a.deadline ? `<span class="deadline">期限 ${esc(fmt(a.deadline))}</span>` : '',
    step ? `<span class="step">↑${esc(LADDER_ZH[step])}</span>` : '',
    `值班第${a.onCall?.level ?? 1}级${roundText(a.onCall?.round)}${next ? `<span class="climb">，${esc(ctx.at(next.atMs))} 升第${next.level}级${roundText(next.round)}</span>` : ''}`,
    readOnly ? '<span class="readonly">只读 read-only</span>' : '',
  ].filter(Boolean).join(' · ');
  return `<li data-id="${esc(a.id)}" data-level="${esc(a.level)}" data-status="${esc(a.status)}" class="${selected ? 'selected' : ''} ${fresh ? 'new' : ''}">
    <div>${pill(a)} <b>${esc(subject(a, ctx))}</b> ${a.ticketId ? `· 工单 ${esc(a.ticketId)}` : ''}</div>
    <div class="meta">${meta}</div></li>`;
}

const subject = (a, ctx) => `${ctx.typeName(a.complaintType)} · ${ctx.scopeName(a.scope)}`;

/** A resolved alert (listed with 含已解除) takes a note and 重开 only: the server refuses the rest. */
function resolvedActionsHtml(ctx) {
  return `<div class="actions">
      <form data-action="reopen"><input name="note" placeholder="重开说明（可选）note" maxlength="500"><button>重开 Reopen</button></form>
      <form data-action="note"><input name="text" placeholder="备注 note" required maxlength="2000"><button>备注</button></form>
      <p class="stale" id="d-stale" role="alert" hidden></p>
      <div class="error" id="d-error">${esc(ctx.notice)}</div>
    </div>`;
}

function actionsHtml(a, ctx) {
  if (a.status === 'resolved') return resolvedActionsHtml(ctx);
  const reasons = ctx.reasons.map((r) => `<option value="${esc(r)}">${esc(reasonText(r))}</option>`).join('');
  return `<div class="actions">
      <form data-action="ack"><select name="reason" aria-label="确认原因">${reasons}</select><input name="note" placeholder="备注（可选）note" maxlength="500"><button class="primary" ${a.status !== 'open' ? 'disabled' : ''}>确认 Acknowledge</button></form>
      <form data-action="escalate"><input name="note" placeholder="上报说明（可选）note" maxlength="500"><button>上报 Escalate</button></form>
      <form data-action="note"><input name="text" placeholder="备注 note" required maxlength="2000"><button>备注</button></form>
      <form data-action="notice"><input name="to" placeholder="发往 机构/部门" required maxlength="120"><input name="text" placeholder="消保提示书内容" required maxlength="4000"><button>发提示书 Notice</button></form>
      <form data-action="assign"><input name="to" placeholder="指派给" required maxlength="80"><button>指派 Assign</button></form>
      <form data-action="resolve"><input name="note" placeholder="解除说明（可选）note" maxlength="500"><button>解除 Resolve</button></form>
      <form data-action="correct" class="correct">
        <input name="ticketId" placeholder="工单号 ticket" required maxlength="128" value="${esc(a.ticketId ?? '')}">
        <select name="complaintType" aria-label="更正类型">${ctx.typeOptions(a.complaintType)}</select>
        <input name="branch" placeholder="机构 branch" required maxlength="64" value="${esc(a.scope === 'ALL' ? '' : a.scope)}">
        <select name="outcome" aria-label="首轮结果"><option value="">结果不变 outcome unchanged</option><option value="agreed">达成一致 agreed</option><option value="not_agreed">未达成一致 not agreed</option></select>
        <input name="reason" placeholder="更正原因 reason" maxlength="500">
        <button>更正工单 Correct</button>
      </form>
      <p class="stale" id="d-stale" role="alert" hidden></p>
      <div class="error" id="d-error">${esc(ctx.notice)}</div>
    </div>`;
}

/** The actions on the alert for a caller who may take them, else why not. */
export function actionsPartHtml(a, ctx) {
  return ctx.mayAct ? actionsHtml(a, ctx) : `<p class="meta readonly-note">${esc(ctx.readOnlyNote)}</p>`;
}

/** What the alert is and where it stands: its level, status, who acknowledged it, its facts and next climb. */
export function headHtml(a, ctx) {
  const ack = a.ack ? ` · 确认人 ${esc(a.ack.by)}${credentialHtml(a.ack.credential)}（${esc(reasonText(a.ack.reason))}）` : '';
  const burn = a.burn ? `消耗速度 burn: 1天 ${a.burn.fast?.rate ?? '–'} / 7天 ${a.burn.slow?.rate ?? '–'}` : '';
  const facts = [forecastText(a.forecast), burn, `通知 ${notifyText(a.onCall?.notify)}`, climbText(a, ctx)].filter(Boolean).map(esc).join(' · ');
  return `<h2>${pill(a)} ${esc(subject(a, ctx))}</h2>
    <div class="meta">${esc(a.id)} · <b id="d-status">${esc(STATUS_ZH[a.status] ?? a.status)}</b>${ack}${a.assignee ? ` · 指派 ${esc(a.assignee)}` : ''}${a.deadline ? ` · 办理期限 ${esc(fmt(a.deadline))}` : ''}</div>
    <div class="meta" id="d-times">${timesText(a)}</div>
    <div class="meta" id="d-facts">${facts}</div>${cellHtml(a, ctx)}`;
}

/** When the facts opened it and when the people on duty were first told: a night case that arrived late is told late (audit CH2). */
const timesText = (a) => [`开启 ${esc(fmt(a.openedAt))}`, a.raisedAt ? `${FIRST_NOTICE} ${esc(fmt(a.raisedAt))}` : ''].filter(Boolean).join(' · ');

/** A level alert's cell now (its count, allowance to date and ratio): the highest level alone misled. */
function cellHtml(a, ctx) {
  const text = a.kind === 'case' ? '' : cellNowText(ctx.cellNow?.(a));
  return text ? `\n    <div class="meta" id="d-cell">${esc(text)}</div>` : '';
}

/**
 * The selected open alert: what it is, who is on call and when it climbs, the actions (for a
 * caller who may take them), its history. Three parts, so that a live update can redraw the head
 * and the history without touching the forms a person is filling in.
 */
export function detailHtml(a, ctx) {
  return `<div data-part="head">${headHtml(a, ctx)}</div>
    <div data-part="actions">${actionsPartHtml(a, ctx)}</div>
    <div data-part="history">${historyHtml(a)}</div>`;
}

/**
 * The selected alert ended while shown (its case closed, it was withdrawn or resolved): say so and
 * why, instead of an empty pane; the answer to the action that ended it (a correction) stays.
 */
export function endedHtml(a, ctx) {
  return `<h2>${pill(a)} ${esc(subject(a, ctx))}</h2>
    <div class="meta">${esc(a.id)} · <b id="d-status">${esc(STATUS_ZH[a.status] ?? a.status)}</b></div>
    <p class="ended">此预警已解除，已移出待处理列表：${esc(RESOLUTION_ZH[a.resolution] ?? a.resolution ?? '')}${a.resolvedAt ? ` · ${esc(fmt(a.resolvedAt))}` : ''}<br>This alert has ended and left the open list.${ctx.mayAct && a.resolution !== 'withdrawn' ? '<br>勾选「含已解除」可重开 Tick 含已解除 to reopen it.' : ''}</p>
    ${ctx.unsent ? '<p class="stale" id="d-stale" role="alert">你填写的内容未发送 What you had filled in was not sent.</p>' : ''}
    <div class="error" id="d-error">${esc(ctx.notice)}</div>
    ${historyHtml(a)}`;
}
