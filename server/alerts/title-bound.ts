// A notice's title is the one line a gateway may send alone (docs/ALERTS.md, "Writing a
// gateway"): an SMS of Chinese text is 70 UCS-2 characters, and a longer one is split in two or
// more, or cut by the gateway wherever it falls. A title took whatever a person typed (a 78-character
// name made a 119-character title, audit CL5) and a plan's names and a ticket id (up to 128) whole.
// So a title is bounded: names in it are cut, and when it is still too long, the subject's parts
// (the type's name, the branch's name, the ticket) give way with … before what the notice is. The
// bracket (what the alert is) is always whole. The text keeps everything whole.

/** One SMS of UCS-2 text. */
export const SMS_CHARS = 70;
/** A title's bound: 【补发】 before a title sent late (late-notice.ts) keeps it within one SMS. */
export const TITLE_CHARS = SMS_CHARS - '【补发】'.length;
/** A person's name, a branch a notice went to, an assignee: cut past this in a title. */
const NAME_CHARS = 12;
/** The least a subject's part keeps of its head before the headline is cut. */
const PART_MIN = 4;
const SEP = ' · ';

/** At most `n` UTF-16 units (what an SMS counts), … for what was cut; never half a surrogate pair. */
export function cut(s: string, n: number): string {
  if (s.length <= n) return s;
  let end = Math.max(0, n - 1);
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** A name as a title says it: one line, its head when long. */
export const nameText = (s: unknown): string => cut(typeof s === 'string' ? s.replace(/\s+/g, ' ').trim() : '', NAME_CHARS);

/**
 * `【消保预警·超标】购车分期 · 广州分行：级别升至超标`, at most `max` characters: the longest part of the
 * subject is shortened first, down to PART_MIN characters each, then the headline's end.
 */
export function boundTitle(bracket: string, parts: readonly string[], headline: string, max = TITLE_CHARS): string {
  const tail = headline ? `：${headline}` : '';
  const whole = `${bracket}${parts.join(SEP)}${tail}`;
  if (whole.length <= max) return whole;
  const room = max - bracket.length - tail.length - SEP.length * (parts.length - 1);
  const title = `${bracket}${shrink(parts, room).join(SEP)}${tail}`;
  return cut(title, max);
}

/** The parts, the longest cut first, until they fit `room` or each is down to PART_MIN. */
function shrink(parts: readonly string[], room: number): string[] {
  const keep = parts.map((p) => p.length);
  const size = () => keep.reduce((n, k, i) => n + k + (k < parts[i]!.length ? 1 : 0), 0);
  while (size() > room) {
    const longest = keep.reduce((best, k, i) => (k > keep[best]! ? i : best), 0);
    if (keep[longest]! <= PART_MIN) break;
    keep[longest] = keep[longest]! - 1;
  }
  return parts.map((p, i) => (keep[i]! < p.length ? cut(p, keep[i]! + 1) : p));
}
