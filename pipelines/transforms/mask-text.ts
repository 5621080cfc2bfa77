// Personal numbers and contact ids inside free text (a ticket's text, tags, channel, people's notes,
// dead-lettered payloads), masked as their fields are (mask-values.ts); amounts, dates and lists
// of figures stay as typed.

import { maskCardNumber, maskIdNumber, maskPhone, plainDigits } from './mask-values.ts';

// Order matters: IDs and cards (long runs) go before phones, so a phone pattern never bites into
// a longer number; masked output contains no run a later pattern could match again. Groups may be
// split by what people type between them, up to three characters of it: space, hyphen, dot,
// comma, slash, underscore, tilde, middle dot, colon, semicolon, bar, spaces of every width
// (SPACES) and the ideographic and full-width forms a Chinese input method gives (，、／～；：
// among them: privacy audits found each kept in clear), in the groupings in use (phones 3-4-4 and
// 4-3-4, IDs 6-8-4, 6-4-4-4, 3-3-4-4-4 and 6-6-3, cards 4-4-4-4 and 6-10). A number typed one
// digit at a time (1 3 8 …) is caught by SPACED_DIGITS. The separators that also list figures (、，/
// …: 四期月供 5000、5000、5000、5000元) make a card or an ID only when its own check holds (maskGrouped).
/** every space character but the plain one (Unicode Zs: no-break, thin, figure, narrow no-break,
 *  ideographic, …): a number copied from a web page or a document is often grouped by them */
const SPACES = '\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000';
const SEPARATOR_CHARS = ` \\t\\-.,/_~;|:\\u00b7\\u3001\\u30fb\\uff0c\\uff0d\\uff0e\\uff0f\\uff1a\\uff1b\\uff5c\\uff5e\\u2013\\u2014\\u2212${SPACES}`;
/** what lists figures and never splits a card or an ID */
const LIST_ONLY_SEPARATORS = /[、/／]/;
/** what separates groups of one number, never items of a list */
const NUMBER_ONLY_SEPARATORS = new RegExp(`^[ \\t\\-.\\uff0d\\uff0e\\u2013\\u2014\\u2212${SPACES}]*$`);
const S = `(?:[${SEPARATOR_CHARS}]{1,3})`;
const X = '[XxＸｘ]';
const SPACED_ID = new RegExp(`(?<!\\d)(?:\\d{6}${S}\\d{8}${S}\\d{3}(?:\\d|${X})|\\d{6}${S}\\d{4}${S}\\d{4}${S}\\d{3}(?:\\d|${X})|\\d{3}${S}\\d{3}${S}\\d{4}${S}\\d{4}${S}\\d{3}(?:\\d|${X})|\\d{6}${S}\\d{6}${S}\\d{3}(?!${X}))(?![\\dA-Za-zＡ-Ｚａ-ｚ])`, 'g');
const SPACED_CARD = new RegExp(`(?<!\\d)(?:\\d{4}(?:${S}\\d{4}){3}(?:${S}?\\d{1,3})?|\\d{6}${S}\\d{10,13})(?!\\d)`, 'g');
/** one separator, the same each time, after every digit: 1 3 8 0 0 0 0 0 0 0 7, 6-2-2-2-… (not
 *  、，/: 第1、3、5、7、9、2、4、6、8、1、2项 is a list of items) */
const SPACED_DIGITS = new RegExp(`(?<!\\d)\\d([ \\-.\\uff0d${SPACES}])\\d(?:\\1\\d){9,17}(?:\\1${X})?(?!\\d|\\1\\d)`, 'g');
const LONG_RUN = new RegExp(`(?<!\\d)(?:\\d{17}${X}(?![A-Za-z0-9Ａ-Ｚａ-ｚ])|\\d{15,19}(?!\\d))`, 'g');
const PHONE = new RegExp(`(?<!\\d)(\\+?86${S}?|\\(\\+?86\\)${S}?)?(?:1[3-9]\\d${S}?\\d{4}${S}?\\d{4}|1[3-9]\\d{2}${S}\\d{3}${S}\\d{4}|\\(1[3-9]\\d\\)${S}?\\d{4}${S}?\\d{4})(?!\\d)`, 'g');
/** the patterns in the order maskText applies them (exported for the test that holds the quick
 *  paths to them) */
export const TEXT_PATTERNS = { SPACED_ID, SPACED_CARD, SPACED_DIGITS, LONG_RUN, PHONE } as const;
const BIRTH_DATE = /^(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;

/** 18 characters are an ID card when they end in X or carry a birth date at 7-14; otherwise
 *  (an 18-digit card number) a card. 15 digits are a first-generation ID card. */
function maskLongRun(run: string): string {
  if (run.length === 15) return maskIdNumber(run);
  if (run.length === 18 && (ENDS_IN_X.test(run) || BIRTH_DATE.test(run.slice(6, 14)))) return maskIdNumber(run);
  return maskCardNumber(run);
}
const ENDS_IN_X = /[XxＸｘ]$/;

/**
 * An ID or a card typed in groups. Split by what only splits numbers (spaces, hyphens, dots) it
 * is masked as found. Split by what also lists figures, it is masked only when it is what it
 * looks like: an ID with a birth date (or X), a card whose Luhn check digit holds and whose groups
 * are not one figure repeated; otherwise it is a list of amounts and stays as typed.
 */
export function maskGrouped(typed: string, kind: 'id' | 'card'): string {
  const separators = typed.replace(/[\dXxＸｘ]/g, '');
  if (NUMBER_ONLY_SEPARATORS.test(separators)) return kind === 'id' ? maskIdNumber(typed) : maskCardNumber(typed);
  if (LIST_ONLY_SEPARATORS.test(separators)) return typed; // 、 and / list figures; nobody splits a card so
  const run = typed.replace(/[^\dXxＸｘ]/g, '');
  if (kind === 'id') return plausibleId(run) ? maskIdNumber(typed) : typed;
  const groups = typed.split(/[^\d]+/).filter(Boolean);
  return luhnHolds(run) && new Set(groups).size > 1 ? maskCardNumber(typed) : typed;
}

/** 18 characters with a birth date at 7-14 (or ending in X); 15 digits with one at 7-12 (YYMMDD) */
function plausibleId(run: string): boolean {
  if (run.length === 18) return ENDS_IN_X.test(run) || BIRTH_DATE.test(run.slice(6, 14));
  return run.length === 15 && BIRTH_DATE.test(`19${run.slice(6, 12)}`);
}

/** the Luhn check every bank card number's last digit satisfies */
function luhnHolds(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/** a number typed a digit at a time, masked by what its digits are: a mobile number, an ID card,
 *  a card; any other count (a list of single figures) stays as typed */
export function maskSpacedDigits(typed: string): string {
  const run = typed.replace(/[^\dXxＸｘ]/g, '');
  if (run.length === 11) return /^1[3-9]/.test(run) ? maskPhone(run) : typed;
  if (run.length === 13 && /^861[3-9]/.test(run)) return `86 ${maskPhone(run)}`;
  if (run.length === 15 || run.length === 18) return maskLongRun(run);
  if (run.length >= 16 && run.length <= 19 && !ENDS_IN_X.test(run)) return maskCardNumber(run);
  return typed;
}

/** Masks phone, ID-card and bank-card numbers inside free text; amounts and dates stay. Digits
 *  typed full-width (１３９…, as Chinese input methods can) are read, and kept, as plain digits;
 *  invisible characters beside a digit, letter or separator are dropped (INVISIBLE_TOUCHING). */
export function maskText(text: string): string {
  // Every pattern needs at least 11 digits (a mobile number); most texts have fewer, and four
  // regular-expression passes over them found nothing.
  const seen = scan(text);
  const visible = seen & MAY_HIDE ? dropInvisible(text) : text;
  const numbersMasked = seen >>> 2 < PHONE_DIGITS ? visible : maskNumbers(seen & WIDE ? plainDigits(visible) : visible);
  return CONTACT_HINT.test(numbersMasked) ? maskContacts(numbersMasked) : numbersMasked;
}

// A number copied out of a web page, a chat or a document may carry invisible characters (Unicode
// Cf) between its digits: zero-width spaces where a page allows a line break, soft hyphens, word
// joiners, direction marks. They show nothing, yet no pattern reads the number through them. So
// they are dropped wherever they touch a digit, a letter, a separator or a space (anything ASCII,
// any space, a full-width form, 、・·–—−): the number (or e-mail address) is masked as what it
// shows, a masked number keeps none of them, and nothing a reader sees changes. Between other
// characters (an emoji's zero-width joiners, the joiners of Indic and Arabic scripts) they stay.
// Two kinds of Cf are seen, and stay (verify CK2): the prepended concatenation marks (the Arabic
// number sign ؀ and its kin, drawn over the digits after them) and the tag characters of a flag
// sequence (🏴 + tags + cancel tag: the Scotland flag became a black flag without them).
const TOUCHABLE = '[\\0-\\x7f\\u00a0\\u00b7\\u1680\\u2000-\\u200a\\u2013\\u2014\\u2212\\u202f\\u205f\\u3000\\u3001\\u30fb\\uff01-\\uff5e]';
/** a Cf that shows nothing: not a prepended concatenation mark */
const UNSEEN = '(?:(?![\\u0600-\\u0605\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u{110bd}\\u{110cd}])\\p{Cf})';
const FLAG_SEQUENCE = '(\\u{1f3f4}[\\u{e0020}-\\u{e007e}]+\\u{e007f})';
const INVISIBLE_TOUCHING = new RegExp(`${FLAG_SEQUENCE}|${UNSEEN}+(?=${TOUCHABLE})|(?<=${TOUCHABLE})${UNSEEN}+`, 'gu');
/** the text without the invisible characters that touch a digit, letter, separator or space */
export function dropInvisible(text: string): string {
  return text.replace(INVISIBLE_TOUCHING, (_m, flag: string | undefined) => flag ?? '');
}

function maskNumbers(plain: string): string {
  return maskLoneRun(plain) ?? plain
    .replace(SPACED_ID, (m) => maskGrouped(m, 'id'))
    .replace(SPACED_CARD, (m) => maskGrouped(m, 'card'))
    .replace(SPACED_DIGITS, (m) => maskSpacedDigits(m))
    .replace(LONG_RUN, (m) => maskLongRun(m))
    .replace(PHONE, (m, prefix: string | undefined) => `${prefix ?? ''}${maskPhone(m.slice(prefix?.length ?? 0))}`);
}

/**
 * The common text (客户来电 13812345678 反映…) holds its digits in one run: no separator between
 * digits, so no grouped, spaced or prefixed (+86) form can match, and the five passes (~1 µs a
 * text, the largest part of masking) would find just what this finds when the run has 11 digits:
 * a mobile number, or nothing. undefined when the text is not of that kind.
 */
function maskLoneRun(text: string): string | undefined {
  let start = -1;
  let end = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (end === -1) start = i;
    else if (end !== i) return undefined; // a second run
    end = i + 1;
  }
  if (end - start !== PHONE_DIGITS) return undefined; // 86 and a mobile number make 13, for one
  if (text.charCodeAt(start) !== 49 || text.charCodeAt(start + 1) < 51) return text; // not 1[3-9]
  return `${text.slice(0, start + 3)}****${text.slice(end - 4)}`; // as maskPhone masks it
}

// Beyond the contract's three numbers, what a clerk types to reach a customer: an e-mail address
// (z***@163.com: the domain is no one's), and an id after the word naming it (微信号 w***, QQ 1***,
// 护照 E***). Free-form ids cannot be told from other words without their name before them.
const CONTACT_HINT = /[@微护]|qq|wechat|passport/i;
const EMAIL = /[A-Za-z0-9._%+-]+@(?=[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;
const NAMED_ID = /(微信号?|微信ID|wechat(?:\s*id)?|QQ号?码?|护照号?码?|passport(?:\s*(?:no\.?|number))?)(\s*[:：]?\s*)([A-Za-z0-9][\w\-.]{4,29})(?![\w])/gi;
/** an id is one with a digit in it, or one its name or a colon announces (微信号 zhangsan,
 *  passport: …); a word after the name (passport twice, wechat support) is no id */
const announced = (name: string, gap: string) => /[:：]/.test(gap) || /号|码|ID$/i.test(name);
/** what follows a figure that is an amount, not an id (微信20000元) */
const AMOUNT_UNIT = /^[元块万千百%]/;

/** e-mail addresses and named contact ids in free text, masked to their first character */
export function maskContacts(text: string): string {
  return text.replace(EMAIL, (local) => `${Array.from(local)[0]}***@`).replace(NAMED_ID, (m: string, name: string, gap: string, id: string, at: number, whole: string) => {
    if (!/\d/.test(id) && !announced(name, gap)) return m;
    if (AMOUNT_UNIT.test(whole.slice(at + m.length))) return m;
    return `${name}${gap}${id[0]}***`;
  });
}

const PHONE_DIGITS = 11;
/** scan's flags, below its count of digits (scan(text) >>> 2) */
const WIDE = 1; // some digits are full-width
const MAY_HIDE = 2; // an invisible format character (Unicode Cf) may be in the text

/** digits and flags in one pass over the text: it runs on every text, so the common characters
 *  (ASCII, CJK) leave after two or three comparisons */
function scan(text: string): number {
  let n = 0;
  let flags = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 57) {
      if (c >= 48) n++;
    } else if (c < 0x2070) {
      // Cf below U+2070: U+00AD, Arabic and Syriac marks (U+0600-U+08E2, counted whole), U+180E,
      // U+200B-U+200F, U+202A-U+202E, U+2060-U+206F
      if (c === 0xad || (c >= 0x600 && (c <= 0x8e2 || c === 0x180e || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || c >= 0x2060))) flags |= MAY_HIDE;
    } else if (c >= 0xd800) {
      if (c >= 0xff10 && c <= 0xff19) {
        n++;
        flags |= WIDE;
      } else if (c === 0xfeff || (c >= 0xfff9 && c <= 0xfffb) || c === 0xdb40 || c === 0xd804 || c === 0xd80d || c === 0xd82f || c === 0xd834) {
        flags |= MAY_HIDE; // BOM, annotation marks; the lead surrogates of the Cf outside the BMP (tags U+E00xx, …)
      }
    }
  }
  return (n << 2) | flags;
}
