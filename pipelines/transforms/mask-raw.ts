// Dead letters keep their payload for triage, masked (contract section 1). A bad event is bad in
// ways nobody chose, so its personal data may come in any shape: an array where a string belongs,
// a key spelt with \u escapes, single quotes, a bare token, the customer's id inside the text.
// A payload that parses is masked as a tree (whatever its shape, a personal key's value goes);
// one that does not is masked by patterns that read keys and values the ways people break JSON.

import { maskCardNumber, maskIdNumber, maskName, maskPhone, maskText } from './mask.ts';

// The contract's keys, and the names intake systems give a customer's name in their own payloads.
const NAME_KEYS = ['name', 'customerName', 'custName', 'contactName', '姓名', '客户姓名', '客户名称', '联系人', '客户'];
const BY_KEY: Readonly<Record<string, (v: string) => string>> = {
  customerId: () => '***',
  ...Object.fromEntries(NAME_KEYS.map((k) => [k, maskName])),
  phone: maskPhone,
  idNumber: maskIdNumber,
  cardNumber: maskCardNumber,
};
const isName = (key: string) => NAME_KEYS.includes(key);
const CUSTOMER = 'customer';
/** the customer's id and name, wherever else they appear, are replaced (as maskEvent does in text) */
interface Known { ids: Set<string>; names: Set<string> }

/** For dead letters: personal fields masked by key, whatever their shape, even in broken JSON;
 *  the customer's id and name and personal numbers masked anywhere in the text. */
export function maskRawPayload(raw: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return maskBroken(raw);
  }
  const known: Known = { ids: new Set(), names: new Set() };
  collectKnown(parsed, known);
  return JSON.stringify(maskTree(parsed, known));
}

function collectKnown(v: unknown, known: Known, key?: string): void {
  if (typeof v === 'string' || typeof v === 'number') {
    const s = String(v).trim();
    if (key === 'customerId' && s.length >= 4) known.ids.add(s);
    if (key !== undefined && isName(key) && s.length >= 2) known.names.add(s);
  } else if (Array.isArray(v)) {
    for (const item of v) collectKnown(item, known, key);
  } else if (v && typeof v === 'object') {
    for (const [k, item] of Object.entries(v)) collectKnown(item, known, k);
  }
}

function maskTree(v: unknown, known: Known): unknown {
  if (typeof v === 'string') return maskFree(v, known);
  if (typeof v === 'number') {
    const masked = maskText(String(v)); // a phone or card number sent as a JSON number
    return masked === String(v) ? v : masked;
  }
  if (Array.isArray(v)) return v.map((item) => maskTree(item, known));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      out[maskFree(k, known)] = k === CUSTOMER ? maskCustomer(item) : Object.hasOwn(BY_KEY, k) ? maskPersonal(k, item) : maskTree(item, known);
    }
    return out;
  }
  return v;
}

/** A personal field: its display mask when it is the text it should be, else nothing of it. */
function maskPersonal(key: string, v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? BY_KEY[key]!(String(v)) : '***';
}

/** The customer object is personal through and through: known fields masked, any other value gone. */
function maskCustomer(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return '***';
  return Object.fromEntries(Object.entries(v).map(([k, item]) => [Object.hasOwn(BY_KEY, k) ? k : '***', Object.hasOwn(BY_KEY, k) ? maskPersonal(k, item) : '***']));
}

function maskFree(text: string, known: Known): string {
  return maskText(replaceKnown(text.includes(':') ? maskBrokenFields(text) : text, known)); // JSON inside a string
}

/** the customer's id and name wherever else they appear, as maskEvent does in text */
function replaceKnown(text: string, known: Known): string {
  let out = text;
  for (const id of known.ids) if (out.includes(id)) out = out.split(id).join('***');
  for (const name of known.names) if (out.includes(name)) out = out.split(name).join(maskName(name));
  return out;
}

// Keys in double, single or no quotes, then `:` or `=` (key=value logs); values as a string
// (perhaps unterminated), an array, an object, or a bare token up to the next delimiter.
const KEY = `(["']?)(customerId|customer|${NAME_KEYS.join('|')}|phone|idNumber|cardNumber)\\1`;
const VALUE = `("(?:[^"\\\\]|\\\\[\\s\\S])*"?|'(?:[^'\\\\]|\\\\[\\s\\S])*'?|\\[[^\\]]*\\]?|\\{[^}]*\\}?|[^,}\\]\\s]+(?: [0-9*]+)*)`; // a bare `phone: 139 8765 4630` is one value
const FIELD = new RegExp(`(?<![A-Za-z0-9_])${KEY}(\\s*[:=]\\s*)${VALUE}`, 'g');
// The same inside a JSON-encoded string (\"phone\":\"138...\").
const ESCAPED_FIELD = /\\"(customerId|name|phone|idNumber|cardNumber)\\"(\s*:\s*)\\"([^"\\]*)/g;
/** \u0049 → I: a key or a number spelt with escapes reads as itself, and so does a space or an
 *  invisible character between its digits (\u2009, \u200b: maskText reads through those); other
 *  escapes stay */
const ALNUM_ESCAPE = /\\u(00[3-7][0-9a-fA-F]|00[aA][0dD]|1680|180[eE]|20[0-6][0-9a-fA-F]|[fF][eE][fF][fF]|3000)/g;
const READ_THROUGH = /^[0-9A-Za-z\p{Zs}\p{Cf}]$/u;

function maskBroken(raw: string): string {
  const known: Known = { ids: new Set(), names: new Set() };
  const byKey = maskBrokenFields(raw, known);
  return maskText(replaceKnown(byKey, known));
}

function maskBrokenFields(raw: string, known?: Known): string {
  const plain = raw.replace(ALNUM_ESCAPE, (m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return READ_THROUGH.test(c) ? c : m;
  });
  return plain
    .replace(FIELD, (_m, quote: string, key: string, sep: string, value: string) => {
      const name = `${quote}${key}${quote}${sep}`;
      if (key === CUSTOMER) return value.startsWith('{') ? `${name}${maskBrokenFields(value, known)}` : `${name}"***"`;
      const text = valueText(value);
      if (text === undefined) return `${name}"***"`;
      if (key === 'customerId' && text.trim().length >= 4) known?.ids.add(text.trim());
      if (isName(key) && text.trim().length >= 2) known?.names.add(text.trim());
      const masked = BY_KEY[key]!(text);
      return value.startsWith("'") ? `${name}'${masked}'` : `${name}${JSON.stringify(masked)}`;
    })
    .replace(ESCAPED_FIELD, (_m, key: string, sep: string, value: string) => `\\"${key}\\"${sep}\\"${JSON.stringify(BY_KEY[key]!(value)).slice(1, -1).replace(/"/g, '\\"')}`);
}

/** a value's text when it is one string or bare token; undefined for an array or object */
function valueText(value: string): string | undefined {
  if (value.startsWith('[') || value.startsWith('{')) return undefined;
  if (value.startsWith('"')) return unescapeJson(value.slice(1, value.length > 1 && value.endsWith('"') ? -1 : undefined));
  if (value.startsWith("'")) return value.slice(1, value.length > 1 && value.endsWith("'") ? -1 : undefined);
  return value;
}

function unescapeJson(s: string): string {
  try {
    const v: unknown = JSON.parse(`"${s}"`);
    return typeof v === 'string' ? v : s;
  } catch {
    return s;
  }
}
