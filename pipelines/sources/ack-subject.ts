// The delivery facts in JetStream ack reply subjects, read for every delivery from the client's
// string or from its undecoded bytes, and the subject rebuilt from them to answer.

/**
 * The delivery facts in a JetStream ack subject, read without splitting it into tokens:
 * `$JS.ACK.<stream>.<consumer>.<deliveries>.<streamSeq>.<deliverySeq>.<nanos>.<pending>` (9 tokens),
 * or with `<domain>.<account hash>` after `$JS.ACK` (11 tokens, 12 with a trailing random token).
 * undefined for anything else (the client's own parser then answers). It runs for every message,
 * so it walks the characters and allocates nothing but its answer (the token arrays and slices
 * it used before were 0.75 KB of garbage per event).
 */
export function parseAckSubject(s: string): { deliveries: number; streamSeq: number; deliverySeq: number; publishedAtMs: number } | undefined {
  if (!s.startsWith('$JS.ACK.')) return undefined;
  let tokens = 1;
  for (let i = s.indexOf('.'); i >= 0; i = s.indexOf('.', i + 1)) tokens++;
  const first = tokens === 9 ? 4 : tokens === 11 || tokens === 12 ? 6 : -1;
  if (first < 0) return undefined;
  let at = 0;
  for (let k = 0; k < first; k++) at = s.indexOf('.', at) + 1;
  const deliveries = digitsAt(s, at);
  at = s.indexOf('.', at) + 1;
  const streamSeq = digitsAt(s, at);
  at = s.indexOf('.', at) + 1;
  const deliverySeq = digitsAt(s, at);
  at = s.indexOf('.', at) + 1;
  // ms from the nanosecond text without a float of 19 digits: drop the last six digits
  const dot = s.indexOf('.', at);
  const nanosEnd = dot < 0 ? s.length : dot;
  const publishedAtMs = digitsAt(s, at, nanosEnd - 6);
  const belowMs = digitsAt(s, nanosEnd - 6, nanosEnd);
  if (!(deliveries >= 1 && streamSeq >= 1 && deliverySeq >= 1 && publishedAtMs >= 0 && belowMs >= 0)) return undefined;
  return { deliveries, streamSeq, deliverySeq, publishedAtMs };
}

/**
 * The ack subject as nats.js's own `parseInfo` reads it: any form of 9, or 11 and more tokens,
 * numbers read with parseInt. parseAckSubject refuses some of those (a token more than the
 * current forms, a number with trailing text); a delivery the client would have accepted is
 * still taken, and answered on the subject exactly as received.
 */
export function parseAckSubjectLoosely(s: string): { deliveries: number; streamSeq: number; deliverySeq: number; publishedAtMs: number } | undefined {
  const tokens = s.split('.');
  if (tokens.length === 9) tokens.splice(2, 0, '_', '');
  if (tokens.length < 11 || tokens[0] !== '$JS' || tokens[1] !== 'ACK') return undefined;
  const deliveries = parseInt(tokens[6]!, 10);
  const streamSeq = parseInt(tokens[7]!, 10);
  const deliverySeq = parseInt(tokens[8]!, 10);
  // the leading digits, as parseInt reads them, to ms without a float of 19 digits
  const nanosDigits = /^\d*/.exec(tokens[9]!)![0];
  const publishedAtMs = nanosDigits.length > 6 ? Number(nanosDigits.slice(0, -6)) : 0;
  if (!(deliveries >= 1 && streamSeq >= 1 && deliverySeq >= 1 && publishedAtMs >= 0)) return undefined;
  return { deliveries, streamSeq, deliverySeq, publishedAtMs };
}

/** The decimal number from `at` to the next dot (or to `end`); NaN if empty, not digits, or unsafe. */
function digitsAt(s: string, at: number, end = -1): number {
  const stop = end < 0 ? s.length : end;
  let n = 0;
  let i = at;
  for (; i < stop; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && end < 0) break;
    if (c < 48 || c > 57) return NaN;
    n = n * 10 + (c - 48);
  }
  return i > at && Number.isSafeInteger(n) ? n : NaN;
}

/** An ack reply read from its bytes: the delivery facts, and what rebuilds the subject exactly. */
export interface AckReply {
  deliveries: number;
  streamSeq: number;
  deliverySeq: number;
  publishedAtMs: number;
  /** the last six digits of the nanosecond timestamp */
  belowMs: number;
  pending: number;
  /** length of `$JS.ACK.[<domain>.<account hash>.]<stream>.<consumer>.` */
  prefixLength: number;
}

/**
 * parseAckSubject on the client's undecoded bytes, for the 9- and 11-token forms whose numbers
 * have no leading zeros (what nats-server writes): then ackReplySubject gives back the very same
 * subject, so an envelope needs to keep no string for it. undefined for anything else. With
 * `out`, the answer is written there (one object per delivery fewer, on the hot path).
 */
export function parseAckReply(b: Uint8Array, out?: AckReply): AckReply | undefined {
  if (b.length < 8 || b[0] !== 36 || b[1] !== 74 || b[2] !== 83 || b[3] !== 46 || b[4] !== 65 || b[5] !== 67 || b[6] !== 75 || b[7] !== 46) return undefined; // $JS.ACK.
  // one pass: the dots, the last five kept (the numbers are the last five tokens)
  let dots = 0;
  let d0 = -1, d1 = -1, d2 = -1, d3 = -1, d4 = -1;
  for (let i = 8; i < b.length; i++) {
    if (b[i] !== 46) continue;
    dots++;
    d0 = d1; d1 = d2; d2 = d3; d3 = d4; d4 = i;
  }
  if (dots !== 6 && dots !== 8) return undefined; // 9 or 11 tokens, counting $JS and ACK
  const prefixLength = d0 + 1;
  const deliveries = plainDigits(b, prefixLength, d1);
  const streamSeq = plainDigits(b, d1 + 1, d2);
  const deliverySeq = plainDigits(b, d2 + 1, d3);
  const publishedAtMs = plainDigits(b, d3 + 1, d4 - 6);
  const belowMs = anyDigits(b, d4 - 6, d4);
  const pending = plainDigits(b, d4 + 1, b.length);
  if (!(deliveries >= 1 && streamSeq >= 1 && deliverySeq >= 1 && publishedAtMs >= 0 && belowMs >= 0 && pending >= 0)) return undefined;
  if (!out) return { deliveries, streamSeq, deliverySeq, publishedAtMs, belowMs, pending, prefixLength };
  out.deliveries = deliveries;
  out.streamSeq = streamSeq;
  out.deliverySeq = deliverySeq;
  out.publishedAtMs = publishedAtMs;
  out.belowMs = belowMs;
  out.pending = pending;
  out.prefixLength = prefixLength;
  return out;
}

/** The ack reply subject parseAckReply read, rebuilt from its prefix and numbers. */
export function ackReplySubject(prefix: string, r: Omit<AckReply, 'prefixLength'>): string {
  return `${prefix}${r.deliveries}.${r.streamSeq}.${r.deliverySeq}.${r.publishedAtMs}${String(r.belowMs).padStart(6, '0')}.${r.pending}`;
}

/** digits from..to as a number without leading zeros ("0" itself is fine); NaN otherwise */
function plainDigits(b: Uint8Array, from: number, to: number): number {
  if (to - from > 1 && b[from] === 48) return NaN;
  return anyDigits(b, from, to);
}

function anyDigits(b: Uint8Array, from: number, to: number): number {
  if (to <= from) return NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return NaN;
    n = n * 10 + (c - 48);
  }
  return Number.isSafeInteger(n) ? n : NaN;
}
