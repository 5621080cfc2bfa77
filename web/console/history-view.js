// An alert's history as the console shows it: one line per thing that happened, in the words a
// 消保 supervisor reads (docs/ALERTS.md, "The words"), and the time the monitor first told the
// people on duty. Without that line a night case that reached the monitor in the morning read
// "开启 02:30 … 上报 → 值班第2级 11:36", as if nobody had been called for nine hours (audit CH2).
//
// The on-call ladder's step is the rule's, not a person's 上报: it says 超时未确认，自动呼叫… and
// its actor 值班规则, not the code `on-call policy` (audit CH5); a level rise is 级别升至… and the
// complaint's own ladder 工单提交…, never 升级.

import { CASE_LEVEL_ZH, LEVEL_ZH, WHAT_ZH, caseEscalatedText, esc, fmt, notifyText, reasonText } from './words.js';

/** who acts for the ladder (pipelines/rules/ack-standing.ts ON_CALL_POLICY) */
const ON_CALL_POLICY = 'on-call policy';

const ROLE_ZH = { admin: '管理员', supervisor: '主管', viewer: '只读' };
/** Which token acted (its role and fingerprint), beside the name the person typed: a name alone could be anyone's. */
export const credentialHtml = (c) =>
  c ? ` <span class="cred" title="操作令牌：角色与指纹 (token role and fingerprint)">[${esc(ROLE_ZH[c.role] ?? c.role)}令牌 ${esc(c.fingerprint)}]</span>` : '';

/** A later round of the on-call ladder (after its last level, from the first again); nothing for the first. */
export const roundText = (round) => (round ? `（第${round + 1}轮）` : '');

const levelZh = (level, kind) => (kind === 'case' ? CASE_LEVEL_ZH[level] ?? level : LEVEL_ZH[level] ?? level);

/** What happened, as one phrase: the line's own words where the bare verb would mislead. */
function whatHtml(h, kind) {
  const d = h.detail ?? {};
  if (h.what === 'escalated' && h.by === ON_CALL_POLICY) {
    const people = notifyText(d.notify);
    return `超时未确认，自动呼叫值班第${esc(d.onCallLevel ?? '?')}级${roundText(d.round)}${people ? `：${esc(people)}` : ''}`;
  }
  if (h.what === 'raised') return `级别升至${esc(h.level ? levelZh(h.level, kind) : '更高一级')}`;
  if (h.what === 'case-escalated') return esc(caseEscalatedText(d.escalation));
  const level = h.level ? ` [${esc(levelZh(h.level, kind))}]` : '';
  return `${esc(WHAT_ZH[h.what] ?? h.what)}${level}${d.onCallLevel ? ` → 值班第${esc(d.onCallLevel)}级` : ''}`;
}

/** One line of an alert's history, with what people wrote with their action (a note, a notice, an assignee). */
export function historyLineHtml(h, kind) {
  const d = h.detail ?? {};
  const ladder = h.what === 'escalated' && h.by === ON_CALL_POLICY;
  // the ladder's line says 超时未确认 itself; its actor is the duty rules, not a person
  const who = ladder ? ' · <span class="who rule">值班规则</span>' : h.by ? ` · <span class="who">${esc(h.by)}</span>` : '';
  const reason = h.reason && !ladder ? ` · ${esc(reasonText(h.reason, kind))}` : '';
  return `<li><b>${esc(fmt(h.at))}</b> ${whatHtml(h, kind)}${who}${credentialHtml(h.credential)}${reason}`
    + `${d.note ? ` · <span class="note">备注：${esc(d.note)}</span>` : ''}${d.text ? ` · <span class="note">${esc(d.text)}</span>` : ''}${d.to ? ` → ${esc(d.to)}` : ''}</li>`;
}

/**
 * When the monitor sent the alert's first notice (`raisedAt`): the people on duty were told then,
 * whatever time the facts carry (an event dated 02:30 that arrives at 11:35 is announced at 11:35).
 */
export const FIRST_NOTICE = '首次通知值班';
const FIRST_NOTICE_TITLE = '监测发出此预警第一条值班通知的时间；开启时间是工单事件本身的时间 · when the monitor first notified the people on duty';

function firstNoticeHtml(a) {
  return `<li class="first-notice" title="${esc(FIRST_NOTICE_TITLE)}"><b>${esc(fmt(a.raisedAt))}</b> ${FIRST_NOTICE} · <span class="who rule">值班规则</span></li>`;
}

/** The history, oldest first as the server gives it, with the first notice put in at its time. */
export function historyHtml(a) {
  const lines = (a.history ?? []).map((h) => ({ atMs: Date.parse(h.at ?? ''), html: historyLineHtml(h, a.kind) }));
  const noticeMs = Date.parse(a.raisedAt ?? '');
  if (Number.isFinite(noticeMs)) {
    // after the lines of its time or before (the facts that opened it), before the later ones
    const i = lines.findIndex((l) => l.atMs > noticeMs);
    lines.splice(i < 0 ? lines.length : i, 0, { atMs: noticeMs, html: firstNoticeHtml(a) });
  }
  return `<h3>历史 History</h3><ol class="history">${lines.map((l) => l.html).join('')}</ol>`;
}
