import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import type { AlertView } from './view.ts';
import { caseEscalatedZh, HAPPENED_ZH, LEVEL_ZH } from '../words.ts';
import { amendedWords, lineWords, ON_CALL_POLICY, roseWords, type Announced } from './notice-lines.ts';
import { nameText } from './title-bound.ts';

// What a notice is, for its title. A gateway that sends only the title (docs/ALERTS.md, "Writing a
// gateway") had told level 2 and 3 of the on-call ladder "【消保预警·新案】…" for a case that had gone
// unacknowledged through level 1, and said 新案 again for its acknowledgement (audit CH4): the
// bracket says what the alert is (its urgency, its level, how it ended), the words after the
// subject what this notice announces — 超时未确认，呼叫值班第2级 / 已确认（王主管）/ 级别升至超标.
// An ended alert's bracket says how it ended; its ending lines need no more words.

type Said = { rank: number; words: string };

const ENDS = new Set(['resolved', 'closed', 'withdrawn']);
const person = (e: Announced) => e.by !== undefined && e.by !== ON_CALL_POLICY;
const restores = (e: Announced) => e.what === 'amended' && (e.before ?? '').split('; ').includes('withdrawn');
const roundZh = (round: unknown) => (typeof round === 'number' && round > 0 ? `（第${round + 1}轮）` : '');

/** The words of one line for a title, and how much it says what the notice is (lower: more); undefined for none. */
function titleWords(view: AlertView, e: Announced, fresh: readonly Announced[], plan: CompiledPlan): Said | undefined {
  const d = (e.detail ?? {}) as { onCallLevel?: unknown; round?: unknown; to?: unknown; escalation?: unknown; restored?: { by?: string } };
  const ended = view.status === 'resolved';
  switch (e.what) {
    // an acknowledgement the alert still has is what the notice is; one a later step undid is not
    case 'acknowledged': {
      const by = d.restored ? d.restored.by : e.by;
      const words = `${d.restored ? '原确认恢复有效' : '已确认'}${by ? `（${nameText(by)}）` : ''}`;
      return { rank: view.status === 'acknowledged' ? 0 : 40, words };
    }
    // a close by hand that stands again: what the notice is, not the withdrawn alert back (audit CT3)
    case 'resolution-restored':
      return { rank: 0, words: `${HAPPENED_ZH['resolution-restored']!}${d.restored?.by ? `（${nameText(d.restored.by)}）` : ''}` };
    case 'escalated':
      if (ended) return undefined;
      if (person(e)) return { rank: 1, words: `${nameText(e.by)}手动转呼值班第${String(d.onCallLevel ?? view.onCall.level)}级` };
      return { rank: 2, words: `超时未确认，呼叫值班第${String(d.onCallLevel ?? view.onCall.level)}级${roundZh(d.round)}` };
    case 'reopened':
      return { rank: 3, words: person(e) ? `人工重开（${nameText(e.by)}）` : e.reason?.startsWith('level rose') ? `${roseWords(view, e.reason)}，重新打开` : '工单有新进展，重新打开' };
    case 'opened':
      if (fresh.some(restores)) return { rank: 4, words: '撤销的预警恢复' };
      return { rank: 4, words: fresh.some((c) => c.what === 'corrected') ? '新预警（工单经更正后计入）' : '新预警' };
    case 'amended':
      // a withdrawn alert back says so before all that is new in it
      if (restores(e)) return { rank: 4, words: '撤销的预警恢复' };
      return { rank: 10, words: amendedWords(e, plan) };
    case 'raised': return { rank: 5 - rankOf(e.level) / 10, words: `级别升至${LEVEL_ZH[e.level ?? ''] ?? '更高一级'}` };
    case 'overdue': return { rank: 6, words: HAPPENED_ZH.overdue! };
    case 'stale': return { rank: 7, words: HAPPENED_ZH.stale! };
    case 'case-escalated': return { rank: 8, words: caseEscalatedZh(d.escalation) };
    case 'ticket-reopened': return { rank: 9, words: HAPPENED_ZH['ticket-reopened']! };
    case 'corrected': return { rank: 11, words: HAPPENED_ZH.corrected! };
    case 'notice': return { rank: 20, words: `已发消保提示书${typeof d.to === 'string' ? `：${nameText(d.to)}` : ''}` };
    case 'assign': return { rank: 21, words: `已指派${typeof d.to === 'string' ? `：${nameText(d.to)}` : ''}` };
    case 'note': return { rank: 22, words: `备注${e.by ? `（${nameText(e.by)}）` : ''}` };
    default:
      return { rank: 30, words: lineWords(view, e, plan) };
  }
}

const rankOf = (level: string | undefined) => ({ watch: 1, breach: 2, critical: 3 } as Record<string, number>)[level ?? ''] ?? 0;

/** What the notice announces, in a few words ('' when the bracket says it all); `fresh`: the change's lines not shown before. */
export function titleHeadline(view: AlertView, fresh: readonly Announced[], plan: CompiledPlan): string {
  // an ended alert's bracket says how it ended (已解除, 已撤销, 已办结): the notice of its end needs no more
  // (unless a close by hand is given back with it: whose close now stands is news; verify CV5)
  if (view.status === 'resolved' && fresh.some((e) => ENDS.has(e.what)) && !fresh.some((e) => e.what === 'resolution-restored')) return '';
  let best: Said | undefined;
  // of equal rank the latest line (a catch-up of two ladder steps names the level called now)
  for (const e of fresh) {
    const p = titleWords(view, e, fresh, plan);
    if (p && p.words && (!best || p.rank <= best.rank)) best = p;
  }
  return best?.words ?? '';
}
