// RFC 3339 date-times, parsed by hand: Date.parse accepts things RFC 3339 does not (and vice
// versa, e.g. leap seconds), and we need to tell "no offset" apart from "not a date-time".

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export interface ParsedDateTime {
  /** epoch milliseconds; NaN when the string has no offset (local time is not an instant) */
  ms: number;
  hasOffset: boolean;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

// Every event's occurredAt is parsed three times in a row (schema format, decode, mask): the last
// answer is kept, so the two repeats cost one string comparison. Results are frozen: shared.
let lastText: string | undefined;
let lastParsed: ParsedDateTime | null = null;

/** null when the string is not a date-time or names an impossible one (2025-02-30, 24:00). */
export function parseDateTime(s: string): ParsedDateTime | null {
  if (s === lastText) return lastParsed;
  const parsed = parse(s);
  lastText = s;
  lastParsed = parsed && Object.freeze(parsed);
  return parsed;
}

function parse(s: string): ParsedDateTime | null {
  const m = DATE_TIME.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1) return null;
  if (d > (mo === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 0))) return null;
  if (h > 23 || mi > 59 || sec > 60) return null;
  const hasOffset = m[8] !== undefined || m[9] !== undefined;
  if (!hasOffset) return sec === 60 ? null : { ms: NaN, hasOffset: false };
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]), om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // A leap second is only real at 23:59:60 UTC; it maps to the last millisecond before midnight.
  if (sec === 60 && (((h * 60 + mi - offsetMin) % 1440) + 1440) % 1440 !== 1439) return null;
  const frac = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // setUTCFullYear, unlike Date.UTC, keeps years < 100 literal
  date.setUTCHours(h, mi, sec === 60 ? 59 : sec, sec === 60 ? 999 : frac);
  return { ms: date.getTime() - offsetMin * 60_000, hasOffset: true };
}
