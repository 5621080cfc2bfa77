// Personal data never leaves this stage in clear (contract section 1): customerId becomes a
// keyed hash, names and numbers become display masks (张*, 138****1234, 110***********1234,
// 6222 **** **** 1234), and numbers inside free text are masked the same way.

import { createHmac } from 'node:crypto';
import type { Classification, MaskedEvent, TicketEvent } from '../model.ts';
import type { PlanView } from './plan-view.ts';
import { classifyTicket, UNCLASSIFIED } from './classify.ts';
import { parseDateTime } from './time.ts';

/** HMAC-SHA256(key, customerId), hex, first 32 characters: the counting key. */
export function hashCustomer(key: Uint8Array, customerId: string): string {
  return createHmac('sha256', key).update(customerId, 'utf8').digest('hex').slice(0, 32);
}

/**
 * hashCustomer with the recent answers kept: a ticket brings several events of one customer
 * close together, and an HMAC is the dearest step of masking. Two generations of at most
 * HASH_CACHE_SIZE ids each (the older one dropped whole when the newer fills): bounded memory,
 * no per-hit bookkeeping. The ids stay in this process's memory only while they are recent,
 * like the events in flight that carry them.
 */
const HASH_CACHE_SIZE = 8_192;
const hashCaches = new WeakMap<Uint8Array, { young: Map<string, string>; old: Map<string, string> }>();

export function hashCustomerCached(key: Uint8Array, customerId: string): string {
  let cache = hashCaches.get(key);
  if (!cache) hashCaches.set(key, (cache = { young: new Map(), old: new Map() }));
  let hash = cache.young.get(customerId);
  if (hash !== undefined) return hash;
  hash = cache.old.get(customerId) ?? hashCustomer(key, customerId);
  if (cache.young.size >= HASH_CACHE_SIZE) {
    cache.old = cache.young;
    cache.young = new Map();
  }
  cache.young.set(customerId, hash);
  return hash;
}

/** 张三 -> 张*, 欧阳娜娜 -> 欧***: the first character stays. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`;
}

/** 13812341234 (also +86 138-1234-1234) -> 138****1234: first 3 and last 4 digits stay. */
export function maskPhone(phone: string): string {
  let digits = plainDigits(phone).replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  return keepEnds(digits, 3, 4);
}

/** 110101199001011234 -> 110***********1234: first 3 and last 4 stay, the length shows. */
export function maskIdNumber(id: string): string {
  return keepEnds(plainDigits(id).replace(ID_SEPARATORS, ''), 3, 4);
}

const ID_SEPARATORS = /[\s\-.,/_~\u00b7\u3001\u30fb\uff0c\uff0d\uff0e\uff0f\uff5e\u2013\u2014\u2212]/g;

/** 6222021234561234 -> 6222 **** **** 1234: first and last 4 digits, masked middle in groups
 *  of four (a 19-digit card reads 6222 **** **** **** 1234). */
export function maskCardNumber(card: string): string {
  const digits = plainDigits(card).replace(/\D/g, '');
  if (digits.length <= 8) return '*'.repeat(digits.length);
  const groups = Math.ceil((digits.length - 8) / 4);
  return `${digits.slice(0, 4)} ${'**** '.repeat(groups)}${digits.slice(-4)}`;
}

/** full-width digits (１２３) as plain ones */
function plainDigits(s: string): string {
  return HAS_WIDE_DIGIT.test(s) ? s.replace(WIDE_DIGIT, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)) : s;
}
const HAS_WIDE_DIGIT = /[\uff10-\uff19]/;

function keepEnds(s: string, head: number, tail: number): string {
  // Digits (phones, ID numbers: nearly every call) have no surrogate pairs, so characters are
  // UTF-16 units and plain slices do; otherwise count by code point.
  if (!HAS_SURROGATE.test(s)) {
    if (s.length <= head + tail) return '*'.repeat(s.length);
    return s.slice(0, head) + '*'.repeat(s.length - head - tail) + s.slice(s.length - tail);
  }
  const chars = Array.from(s);
  if (chars.length <= head + tail) return '*'.repeat(chars.length);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(-tail).join('');
}
const HAS_SURROGATE = /[\uD800-\uDFFF]/;

// Order matters: IDs and cards (long runs) go before phones, so a phone pattern never bites into
// a longer number; masked output contains no run a later pattern could match again. Groups may be
// split by what people type between them, up to three characters of it: space, hyphen, dot,
// comma, slash, underscore, tilde, middle dot, colon, semicolon, bar, and the no-break,
// ideographic and full-width forms a Chinese input method gives (，、／～；： among them: privacy
// audits found each kept in clear), in the groupings in use (phones 3-4-4 and 4-3-4, IDs 6-8-4,
// 6-4-4-4, 3-3-4-4-4 and 6-6-3, cards 4-4-4-4 and 6-10). A number typed one digit at a time
// (1 3 8 …) is caught by SPACED_DIGITS. The separators that also list figures (、，/ …: 四期月供
// 5000、5000、5000、5000元) make a card or an ID only when its own check holds (maskGrouped).
const SEPARATOR_CHARS = ' \\t\\-.,/_~;|:\\u00a0\\u00b7\\u3000\\u3001\\u30fb\\uff0c\\uff0d\\uff0e\\uff0f\\uff1a\\uff1b\\uff5c\\uff5e\\u2013\\u2014\\u2212';
/** what lists figures and never splits a card or an ID */
const LIST_ONLY_SEPARATORS = /[、/／]/;
/** what separates groups of one number, never items of a list */
const NUMBER_ONLY_SEPARATORS = /^[ \t\-.\u00a0\u3000\uff0d\uff0e\u2013\u2014\u2212]*$/;
const S = `(?:[${SEPARATOR_CHARS}]{1,3})`;
const X = '[XxＸｘ]';
const SPACED_ID = new RegExp(`(?<!\\d)(?:\\d{6}${S}\\d{8}${S}\\d{3}(?:\\d|${X})|\\d{6}${S}\\d{4}${S}\\d{4}${S}\\d{3}(?:\\d|${X})|\\d{3}${S}\\d{3}${S}\\d{4}${S}\\d{4}${S}\\d{3}(?:\\d|${X})|\\d{6}${S}\\d{6}${S}\\d{3}(?!${X}))(?![\\dA-Za-zＡ-Ｚａ-ｚ])`, 'g');
const SPACED_CARD = new RegExp(`(?<!\\d)(?:\\d{4}(?:${S}\\d{4}){3}(?:${S}?\\d{1,3})?|\\d{6}${S}\\d{10,13})(?!\\d)`, 'g');
/** one separator, the same each time, after every digit: 1 3 8 0 0 0 0 0 0 0 7, 6-2-2-2-… (not
 *  、，/: 第1、3、5、7、9、2、4、6、8、1、2项 is a list of items) */
const SPACED_DIGITS = new RegExp(`(?<!\\d)\\d([ \\-.\\u00a0\\u3000\\uff0d])\\d(?:\\1\\d){9,17}(?:\\1${X})?(?!\\d|\\1\\d)`, 'g');
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
 *  typed full-width (１３９…, as Chinese input methods can) are read, and kept, as plain digits. */
export function maskText(text: string): string {
  // Every pattern needs at least 11 digits (a mobile number); most texts have fewer, and four
  // regular-expression passes over them found nothing.
  const digits = countDigits(text);
  const numbersMasked = digits < PHONE_DIGITS ? text : maskNumbers(digits === WIDE ? plainDigits(text) : text);
  return CONTACT_HINT.test(numbersMasked) ? maskContacts(numbersMasked) : numbersMasked;
}

function maskNumbers(plain: string): string {
  return plain
    .replace(SPACED_ID, (m) => maskGrouped(m, 'id'))
    .replace(SPACED_CARD, (m) => maskGrouped(m, 'card'))
    .replace(SPACED_DIGITS, (m) => maskSpacedDigits(m))
    .replace(LONG_RUN, (m) => maskLongRun(m))
    .replace(PHONE, (m, prefix: string | undefined) => `${prefix ?? ''}${maskPhone(m.slice(prefix?.length ?? 0))}`);
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
/** countDigits' answer for a text with enough digits, some of them full-width */
const WIDE = Number.MAX_SAFE_INTEGER;
const WIDE_DIGIT = /[\uff10-\uff19]/g;

function countDigits(text: string): number {
  let n = 0;
  let wide = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
    else if (c >= 0xff10 && c <= 0xff19) {
      n++;
      wide = true;
    }
  }
  return wide && n >= PHONE_DIGITS ? WIDE : n;
}

export interface MaskOptions {
  hashKey: Uint8Array;
  plan: PlanView;
  /** defaults to the keyword classifier */
  classify?: (text: string | undefined, tags: Record<string, string> | undefined, types: PlanView['types']) => Classification;
}

/** TicketEvent -> MaskedEvent; an event reported `unclassified` gets a plan type from its own text
 *  and tags only (a function of the event, as stored): which of its ticket's classifications the
 *  ticket counts under is the counters' rule (corrections.ts), not the order events came in.
 *  occurredAtMs is NaN if occurredAt is not a valid RFC 3339 instant (decodeEvent rejects those). */
export function maskEvent(event: TicketEvent, opts: MaskOptions): MaskedEvent {
  // Every optional field is set, undefined where the event has none: masked events then share
  // one hidden class, and every stage reading them (counters, rules, the journal writer) keeps
  // monomorphic property loads. Adding fields only when present made up to 2^7 shapes, and the
  // megamorphic loads that followed were ~10 % of the pipeline's main thread.
  const unclassified = event.complaintType === UNCLASSIFIED;
  const classification = unclassified ? (opts.classify ?? classifyTicket)(event.text, event.tags, opts.plan.types) : undefined;
  return {
    eventId: event.eventId,
    ticketId: event.ticketId,
    kind: event.kind,
    occurredAt: event.occurredAt,
    occurredAtMs: parseDateTime(event.occurredAt)?.ms ?? NaN,
    branch: event.branch,
    complaintType: classification ? classification.type : event.complaintType,
    reportedType: event.complaintType,
    customerHash: hashCustomerCached(opts.hashKey, event.customerId),
    customerMasked: maskCustomer(event.customer),
    channel: event.channel === undefined ? undefined : maskText(event.channel), // free text in practice ('phone 139…')
    outcome: event.outcome,
    escalation: event.escalation,
    text: event.text === undefined ? undefined : maskKnownPersonalData(maskText(event.text), event),
    satisfaction: event.satisfaction,
    // Tags are free-form strings too; a clerk may have typed a phone number into one.
    tags: event.tags === undefined ? undefined : Object.fromEntries(Object.entries(event.tags).map(([k, v]) => [maskKnownPersonalData(maskText(k), event), maskKnownPersonalData(maskText(v), event)])),
    classification,
  };
}

/**
 * Names cannot be found in free text by pattern, but the event tells us this customer's name and
 * id: wherever they appear in the text, they are replaced by their masked forms.
 */
function maskKnownPersonalData(text: string, event: TicketEvent): string {
  let out = text;
  const name = event.customer?.name;
  if (typeof name === 'string' && name.trim().length >= 2 && out.includes(name.trim())) out = out.split(name.trim()).join(maskName(name.trim()));
  if (event.customerId.length >= 4 && out.includes(event.customerId)) out = out.split(event.customerId).join('***');
  return out;
}

/** shared by every event without customer details: one object fewer for a batch to hold */
const NO_CUSTOMER: MaskedEvent['customerMasked'] = Object.freeze({});

function maskCustomer(customer: TicketEvent['customer']): MaskedEvent['customerMasked'] {
  if (!customer) return NO_CUSTOMER;
  const out: MaskedEvent['customerMasked'] = {};
  if (typeof customer.name === 'string') out.name = maskName(customer.name);
  if (typeof customer.phone === 'string') out.phone = maskPhone(customer.phone);
  if (typeof customer.idNumber === 'string') out.idNumber = maskIdNumber(customer.idNumber);
  if (typeof customer.cardNumber === 'string') out.cardNumber = maskCardNumber(customer.cardNumber);
  return out;
}
