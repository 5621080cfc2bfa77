import type { ClickHouseClient } from '@clickhouse/client';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventKind, MaskedEvent, Outcome } from '../model.ts';
import { UNCLASSIFIED } from '../transforms/classify.ts';
import { OWN_CLASSIFICATION, storedClassification } from './stored-classification.ts';
import { chTime } from '../sinks/clickhouse-time.ts';

// The second source: events already stored, read back to rebuild the in-memory index at start
// (and by replay and the plan builder). Read partition by partition (months), each split into
// slices by a hash of event_id so that no page grows past what one V8 string holds — no sort and
// no server-side dedupe: the index folds duplicates itself, so the engine only scans.
// TabSeparated, not JSON: a rebuild of millions of rows is mostly parsing.

export interface ReplayWindow {
  /** events of the plan year; corrections and classifications of any time are always read */
  fromMs: number;
  toMs: number;
  /** rows per page at most (approximately) */
  pageSize?: number;
}

/**
 * occurred_at as the monitor reads it: epoch milliseconds, with microseconds as a fraction where
 * the producer sent them (the DateTime64(3) column keeps milliseconds; occurred_at_text keeps every
 * digit sent). Only texts with four or more fraction digits are read further.
 */
export const OCCURRED_MS = `(toUnixTimestamp64Milli(occurred_at) + if(match(occurred_at_text, '[.][0-9]{4}'), toUInt32OrZero(rightPad(substring(extract(occurred_at_text, '[.]([0-9]+)'), 4, 3), 3, '0')) / 1000, 0))`;

const COLUMNS = `event_id, ticket_id, kind, ${OCCURRED_MS}, branch, complaint_type, customer_hash, outcome, reported_type, classifier_confidence, classifier_model`;

export async function* storedEvents(client: ClickHouseClient, window: ReplayWindow): AsyncGenerator<MaskedEvent[]> {
  const pageSize = window.pageSize ?? 400_000;
  const params = { from: chTime(window.fromMs), to: chTime(window.toMs) };
  const inWindow = `occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}`;
  const counts = await client.query({
    query: `SELECT toYYYYMM(occurred_at) AS m, count() AS n FROM complaints.ticket_events WHERE ${inWindow} GROUP BY m ORDER BY m`,
    query_params: params,
    format: 'JSONEachRow',
  });
  for (const { m, n } of await counts.json<{ m: number; n: string }>()) {
    const slices = Math.max(1, Math.ceil(Number(n) / pageSize));
    for (let slice = 0; slice < slices; slice++) {
      yield await page(
        client,
        `toYYYYMM(occurred_at) = {m:UInt32} AND ${inWindow} AND cityHash64(event_id) % {slices:UInt32} = {slice:UInt32}`,
        { ...params, m: Number(m), slices, slice },
      );
    }
  }
  // Corrections dated outside the year still re-type or move the year's tickets, and
  // classifications type them (an `opened` of 31 December that carries the text).
  const outside = await page(client, `(kind = 'corrected' OR (${OWN_CLASSIFICATION})) AND NOT (${inWindow})`, params);
  if (outside.length > 0) yield outside;
}

async function page(client: ClickHouseClient, where: string, query_params: Record<string, unknown>): Promise<MaskedEvent[]> {
  const rs = await client.query({
    query: `SELECT ${COLUMNS} FROM complaints.ticket_events WHERE ${where}`,
    query_params,
    format: 'TabSeparated',
  });
  return parseRows(await rs.text());
}

/** TabSeparated rows of COLUMNS → events; exported for tests. */
export function parseRows(text: string): MaskedEvent[] {
  const out: MaskedEvent[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) out.push(toMaskedEvent(text.slice(start, end).split('\t')));
    start = end + 1;
  }
  return out;
}

/** TabSeparated escapes \t, \n, \\ and a few more inside values; ids may contain them. */
function unescape(v: string): string {
  if (!v.includes('\\')) return v;
  return v.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f' })[c] ?? c);
}

function toMaskedEvent(f: string[]): MaskedEvent {
  const outcome = f[7] ?? '';
  const complaintType = unescape(f[5] ?? '');
  const reportedType = f[8] === undefined ? complaintType : unescape(f[8]);
  const confidence = f[9] === undefined || f[9] === '\\N' ? null : Number(f[9]);
  return {
    eventId: unescape(f[0] ?? ''),
    ticketId: unescape(f[1] ?? ''),
    kind: f[2] as EventKind,
    occurredAt: '',
    occurredAtMs: Number(f[3]),
    branch: unescape(f[4] ?? ''),
    complaintType,
    reportedType,
    customerHash: f[6] ?? '',
    customerMasked: {},
    // the fields of maskEvent's objects, in its order: one hidden class for every masked event
    channel: undefined,
    outcome: outcome === '' ? undefined : (outcome as Outcome),
    escalation: undefined,
    text: undefined,
    satisfaction: undefined,
    tags: undefined,
    classification: storedClassification(f[2] ?? '', reportedType, complaintType, confidence, unescape(f[10] ?? '')),
  };
}

/** Where countingFacts puts what it reads (CounterIndex has these methods). */
export interface CountingSink {
  addFirstContact(ticketId: string, t: number, customerHash: string, type: string, branch: string, outcome: Outcome | undefined): void;
  addCorrection(ticketId: string, eventId: string, t: number, type: string, branch: string, outcome: Outcome | undefined): void;
  addClassification(ticketId: string, eventId: string, confidence: number, type: string): void;
  remember(eventIds: Iterable<string>): void;
}

export interface CountingOptions extends ReplayWindow {
  /** eventIds of the most recently received events handed to remember() (redeliveries after a restart) */
  recentIds?: number;
}

/**
 * The rebuild's read: only what the counters need — first contacts of the window, corrections
 * of any time, and the own classifications of events reported `unclassified` of any time (a
 * ticket's first contact may come after the restart); only the columns counting uses — parsed straight into the
 * sink, no event objects. Corrections and classifications first, so first contacts land under
 * their ticket's final facts. One query runs
 * ahead while the previous page is parsed (the embedded engine queries on its own threads).
 * Returns the number of stored events the counters are derived from (all kinds, as storedEvents reads).
 */
export async function countingFacts(client: ClickHouseClient, sink: CountingSink, options: CountingOptions): Promise<number> {
  const pageSize = options.pageSize ?? 400_000;
  const params = { from: chTime(options.fromMs), to: chTime(options.toMs) };
  const inWindow = `occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}`;
  const figures = await client.query({
    query: `SELECT toYYYYMM(occurred_at) AS m, countIf(kind = 'first_contact' AND ${inWindow}) AS fc, countIf(${inWindow}) AS n, countIf(kind = 'corrected') AS k,
                   countIf((kind = 'corrected' OR (${OWN_CLASSIFICATION})) AND NOT (${inWindow})) AS outside,
                   countIf(${OWN_CLASSIFICATION}) AS u
            FROM complaints.ticket_events GROUP BY m ORDER BY m`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const months = (await figures.json<{ m: number; fc: string; n: string; k: string; outside: string; u: string }>()).map((r) => ({ m: Number(r.m), fc: Number(r.fc), n: Number(r.n), k: Number(r.k), outside: Number(r.outside), u: Number(r.u) }));
  const events = months.reduce((sum, r) => sum + r.n + r.outside, 0);
  const corrections = months.reduce((sum, r) => sum + r.k, 0);
  const classifications = months.reduce((sum, r) => sum + r.u, 0);

  type Page = { query: string; query_params: Record<string, unknown>; parse: (text: string) => void };
  const pages: Page[] = [];
  const kSlices = Math.max(1, Math.ceil(corrections / pageSize));
  for (let slice = 0; slice < kSlices && corrections > 0; slice++) {
    pages.push({
      query: `SELECT event_id, ticket_id, ${OCCURRED_MS}, complaint_type, branch, outcome FROM complaints.ticket_events
              WHERE kind = 'corrected' AND cityHash64(event_id) % {slices:UInt32} = {slice:UInt32}`,
      query_params: { slices: kSlices, slice },
      parse: (text) => parseCorrections(text, sink),
    });
  }
  const uSlices = Math.max(1, Math.ceil(classifications / pageSize));
  for (let slice = 0; slice < uSlices && classifications > 0; slice++) {
    pages.push({
      query: `SELECT event_id, ticket_id, classifier_confidence, complaint_type FROM complaints.ticket_events
              WHERE ${OWN_CLASSIFICATION} AND cityHash64(event_id) % {slices:UInt32} = {slice:UInt32}`,
      query_params: { slices: uSlices, slice },
      parse: (text) => parseClassifications(text, sink),
    });
  }
  for (const { m, fc } of months) {
    const slices = Math.ceil(fc / pageSize);
    for (let slice = 0; slice < slices; slice++) {
      pages.push({
        // reported `unclassified`: typed by its ticket's classifications, whatever it was stored with
        query: `SELECT ticket_id, ${OCCURRED_MS}, customer_hash, if(reported_type = '${UNCLASSIFIED}', '${UNCLASSIFIED}', complaint_type), branch, outcome FROM complaints.ticket_events
                WHERE toYYYYMM(occurred_at) = {m:UInt32} AND kind = 'first_contact' AND ${inWindow} AND cityHash64(event_id) % {slices:UInt32} = {slice:UInt32}`,
        query_params: { ...params, m, slices, slice },
        parse: (text) => parseFirstContacts(text, sink),
      });
    }
  }
  const recent = options.recentIds ?? 50_000;
  if (recent > 0 && events > 0) {
    pages.push({
      query: `SELECT event_id FROM complaints.ticket_events ORDER BY received_at DESC LIMIT {recent:UInt32}`,
      query_params: { recent },
      parse: (text) => sink.remember(text.split('\n').filter((l) => l !== '').map(unescape)),
    });
  }
  const fetch = async (p: Page) => (await client.query({ query: p.query, query_params: p.query_params, format: 'TabSeparated' })).text();
  let ahead = pages[0] ? fetch(pages[0]) : undefined;
  for (let i = 0; i < pages.length; i++) {
    const text = await (ahead as Promise<string>);
    ahead = pages[i + 1] ? fetch(pages[i + 1] as Page) : undefined;
    await inChunks(text, (pages[i] as Page).parse);
  }
  return events;
}

/**
 * A page's text handed to `parse` in whole lines, about `chunkBytes` at a time, with a turn of the
 * event loop between: a month's page (~140k rows over a 5 M-event year) parsed in one go held the
 * loop 0.1–0.3 s, and a runtime plan change reads the store back while serving (the port, /ws,
 * the counting lease's renewals wait for the turn).
 */
export async function inChunks(text: string, parse: (text: string) => void, chunkBytes = 1 << 18): Promise<void> {
  for (let from = 0; from < text.length; ) {
    const nl = from + chunkBytes >= text.length ? -1 : text.indexOf('\n', from + chunkBytes);
    const end = nl < 0 ? text.length : nl + 1;
    parse(text.slice(from, end));
    from = end;
    if (from < text.length) await nextTurn();
  }
}

const outcomeAt = (text: string, from: number, end: number): Outcome | undefined =>
  end - from === 10 && text.startsWith('not_agreed', from) ? 'not_agreed' : end - from === 6 && text.startsWith('agreed', from) ? 'agreed' : undefined;

/** ticket_id, ms, customer_hash, complaint_type, branch, outcome — TabSeparated; exported for tests.
 *  The hot loop of a rebuild: fields are cut with indexOf, a line with an escape is split and
 *  unescaped (rare: ids with tabs, newlines or backslashes).
 *  The page is cut into lines first, and every search runs on its line: on the page text itself
 *  (a per-row indexOf from an offset into a ~10 MB string) optimized code spent its time in
 *  libc memchr's bulk loop — searches running far past their row — and a 140k-row page took
 *  17-60 s from the third page on (quadratic in the page), where it now takes ~0.1-0.3 s. The
 *  test "parses month-sized pages ..." guards it. */
export function parseFirstContacts(text: string, sink: Pick<CountingSink, 'addFirstContact'>): void {
  const escapes = text.includes('\\');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const a = line.indexOf('\t'), b = line.indexOf('\t', a + 1), c = line.indexOf('\t', b + 1), d = line.indexOf('\t', c + 1), e = line.indexOf('\t', d + 1);
    if ((escapes && line.includes('\\')) || a < 0 || b < 0 || c < 0 || d < 0 || e < 0) {
      const v = line.split('\t').map(unescape);
      sink.addFirstContact(v[0] ?? '', Number(v[1]), v[2] ?? '', v[3] ?? '', v[4] ?? '', outcomeOf(v[5] ?? ''));
    } else {
      sink.addFirstContact(line.slice(0, a), Number(line.slice(a + 1, b)), line.slice(b + 1, c), line.slice(c + 1, d), line.slice(d + 1, e), outcomeAt(line, e + 1, line.length));
    }
  }
}

/** event_id, ticket_id, ms, complaint_type, branch, outcome — TabSeparated; exported for tests. */
export function parseCorrections(text: string, sink: Pick<CountingSink, 'addCorrection'>): void {
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const v = line.split('\t').map(unescape);
    sink.addCorrection(v[1] ?? '', v[0] ?? '', Number(v[2]), v[3] ?? '', v[4] ?? '', outcomeOf(v[5] ?? ''));
  }
}

/** event_id, ticket_id, confidence, complaint_type — TabSeparated; exported for tests. */
export function parseClassifications(text: string, sink: Pick<CountingSink, 'addClassification'>): void {
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const v = line.split('\t').map(unescape);
    sink.addClassification(v[1] ?? '', v[0] ?? '', Number(v[2]), v[3] ?? '');
  }
}

const outcomeOf = (v: string): Outcome | undefined => (v === '' ? undefined : (v as Outcome));
