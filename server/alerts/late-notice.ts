import { toZonedIso } from '../time.ts';
import { onCallOnLadder } from '../../pipelines/rules/ladder-roster.ts';
import type { AlertRulesConfig } from '../../pipelines/rules/index.ts';
import { notifyZh } from './notice-text.ts';

// A notice sent late, at a start, from the outbox (notice-outbox.ts): what an earlier run wrote
// and never saw the broker take. Its figures and its change are as they were written; what may
// have moved since is who is on call. A start on a plan with another ladder names the new
// ladder's people on every open alert (ladder-roster.ts), and a resend naming the old ones paged
// a person no longer on the plan 0.3 s before the current notice named the right one (verify AG
// N4). So the late copy names the plan in force's people for its level, and says when it was
// written.

export interface LateNoticeContext {
  /** the ladder of the plan in force */
  ladder: AlertRulesConfig['onCall'];
  timezone: string;
}

interface Body {
  status?: string;
  onCall?: { level: number; round?: number; since?: string; notify: string[] };
  notice?: { title?: string; text?: string };
  [field: string]: unknown;
}

const writtenWords = (writtenAtMs: number, tz: string) => {
  const local = toZonedIso(writtenAtMs, tz); // 2026-11-27T13:50:12.345+08:00
  return `原写于${local.slice(5, 10)} ${local.slice(11, 16)}`;
};

const onCallWords = (level: number, notify: readonly string[]) => {
  const people = notifyZh(notify);
  return `现呼叫值班第${level}级${people ? `：${people}` : ''}`;
};

/** The message's data as sent late: `resent`, `writtenAt`, 【补发】 and the people on call now; unchanged when it is not JSON. */
export function lateNoticeData(data: string, writtenAtMs: number, ctx?: LateNoticeContext): string {
  let body: Body;
  try {
    body = JSON.parse(data) as Body;
  } catch {
    return data;
  }
  let text = body.notice?.text ?? '';
  let onCall = body.onCall;
  if (ctx && onCall && body.status !== 'resolved' && Array.isArray(onCall.notify)) {
    const written = { level: onCall.level - 1, round: onCall.round ?? 0, sinceMs: 0, notify: onCall.notify };
    const now = onCallOnLadder(written, ctx.ladder);
    if (now !== written) {
      text = text.replace(onCallWords(onCall.level, onCall.notify), `${onCallWords(now.level + 1, now.notify)}（按现行预案）`);
      onCall = { ...onCall, level: now.level + 1, notify: [...now.notify] };
    }
  }
  const when = ctx ? `（${writtenWords(writtenAtMs, ctx.timezone)}）` : '';
  const notice = body.notice && { ...body.notice, title: `【补发】${body.notice.title ?? ''}`, text: `【补发】${text}${when}` };
  return JSON.stringify({ ...body, resent: true, writtenAt: ctx ? toZonedIso(writtenAtMs, ctx.timezone) : new Date(writtenAtMs).toISOString(), ...(onCall ? { onCall } : {}), ...(notice ? { notice } : {}) });
}
