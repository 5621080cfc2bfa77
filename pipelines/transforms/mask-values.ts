// The display masks of personal values (张*, 138****1234, 110***********1234, 6222 **** **** 1234)
// and the customer's keyed hash: what a field known to be personal becomes before anything keeps it.

import { createHmac } from 'node:crypto';

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

// \s holds every space (Unicode Zs) and the BOM; \p{Cf} the other invisible characters (zero-width
// space, soft hyphen, word joiner, …), which a number copied from a page may carry between digits.
const ID_SEPARATORS = /[\s\p{Cf}\-.,/_~;|:\uff1a\uff1b\uff5c\u00b7\u3001\u30fb\uff0c\uff0d\uff0e\uff0f\uff5e\u2013\u2014\u2212]/gu;

/** 6222021234561234 -> 6222 **** **** 1234: first and last 4 digits, masked middle in groups
 *  of four (a 19-digit card reads 6222 **** **** **** 1234). */
export function maskCardNumber(card: string): string {
  const digits = plainDigits(card).replace(/\D/g, '');
  if (digits.length <= 8) return '*'.repeat(digits.length);
  const groups = Math.ceil((digits.length - 8) / 4);
  return `${digits.slice(0, 4)} ${'**** '.repeat(groups)}${digits.slice(-4)}`;
}

/** full-width digits (１２３) as plain ones */
export function plainDigits(s: string): string {
  return HAS_WIDE_DIGIT.test(s) ? s.replace(WIDE_DIGIT, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)) : s;
}
const HAS_WIDE_DIGIT = /[\uff10-\uff19]/;
const WIDE_DIGIT = /[\uff10-\uff19]/g;

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
