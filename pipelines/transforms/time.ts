// RFC 3339 date-times, parsed by hand: Date.parse accepts things RFC 3339 does not (and vice
// versa, e.g. leap seconds), and we need to tell "no offset" apart from "not a date-time".

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export interface ParsedDateTime {
  /** epoch milliseconds, with microseconds as a fraction (…000.9 for .0009 s; digits past the
   *  sixth cut off); NaN when the string has no offset (local time is not an instant) */
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

/**
 * YYYY-MM-DD(T|t| )hh:mm:ss(.f+)?(Z|z|±hh:mm)? read character by character: the regular
 * expression it replaces allocated a dozen strings for every event.
 */
function parse(s: string): ParsedDateTime | null {
  if (s.length < 19) return null;
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
  if ((y | mo | d | h | mi | sec) < 0) return null;
  const sep = s.charCodeAt(10);
  if (s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH || s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON) return null;
  if (sep !== 84 && sep !== 116 && sep !== 32) return null; // T t space
  let i = 19;
  let frac = 0;
  let micros = 0;
  if (s.charCodeAt(i) === 46) {
    const start = ++i;
    while (isDigit(s.charCodeAt(i))) {
      // milliseconds from the first three digits, microseconds from the next three, the rest cut
      // off (not rounded): two events 0.4 ms apart, or an event 0.4 ms after an asOf, stay apart.
      // Whole milliseconds stay whole numbers (most events): only finer times carry a fraction.
      const k = i - start;
      const digit = s.charCodeAt(i) - 48;
      if (k < 3) frac += digit * (k === 0 ? 100 : k === 1 ? 10 : 1);
      else if (k < 6) micros += digit * (k === 3 ? 100 : k === 4 ? 10 : 1);
      i++;
    }
    if (i === start) return null;
  }
  let hasOffset = false;
  let offsetMin = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    hasOffset = true;
    i++;
  } else if (z === 43 || z === 45) {
    const oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0 || s.charCodeAt(i + 3) !== COLON) return null;
    if (oh > 23 || om > 59) return null;
    hasOffset = true;
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
    i += 6;
  }
  if (i !== s.length) return null;
  if (mo < 1 || mo > 12 || d < 1) return null;
  if (d > (mo === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 0))) return null;
  if (h > 23 || mi > 59 || sec > 60) return null;
  if (!hasOffset) return sec === 60 ? null : { ms: NaN, hasOffset: false };
  // A leap second is only real at 23:59:60 UTC; it maps to the last millisecond before midnight.
  if (sec === 60 && (((h * 60 + mi - offsetMin) % 1440) + 1440) % 1440 !== 1439) return null;
  const ms =
    daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + (sec === 60 ? 59_999 : sec * 1000 + frac) - offsetMin * 60_000;
  return { ms: micros === 0 ? ms : ms + micros / 1000, hasOffset: true };
}

const DASH = 45;
const COLON = 58;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** the decimal number in s[at, at + count), or -1 if any of it is not an ASCII digit */
function digits(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
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
