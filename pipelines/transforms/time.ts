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
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]), h = Number(m[4]), mi = Number(m[5]), sec = Number(m[6]);
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
  const ms =
    daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + (sec === 60 ? 59_999 : sec * 1000 + frac) - offsetMin * 60_000;
  return { ms, hasOffset: true };
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm): no Date object. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
