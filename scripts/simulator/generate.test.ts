import { describe, expect, it } from 'vitest';
import { requireCfpbCsv, loadCfpb } from './csv.ts';
import { generateLifecycles, generateTickets } from './generate.ts';
import { PLAN_TYPES } from './mapping.ts';
import { restamp, timeCompressed } from './replay.ts';
import { formatRfc3339, mapToYear, parseCfpbDate, yearBounds, zonedToUtc } from './time.ts';
import { referenceRejection, RFC3339_WITH_OFFSET, validateEvent } from './testkit.ts';

const complaints = loadCfpb(requireCfpbCsv());
const opts = { seed: 1, year: 2026, timezone: 'Asia/Shanghai' };
const tickets = generateTickets(complaints, opts);
const events = generateLifecycles(complaints, opts);
const { startMs, endMs } = yearBounds(2026, 'Asia/Shanghai');

describe('time - zone arithmetic and date mapping', () => {
  it('formats with the zone offset and converts wall time back', () => {
    const ms = zonedToUtc(2026, 1, 1, 0, 0, 0, 'Asia/Shanghai');
    expect(new Date(ms).toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(formatRfc3339(ms, 'Asia/Shanghai')).toBe('2026-01-01T00:00:00+08:00');
    expect(formatRfc3339(Date.UTC(2026, 6, 1, 12), 'America/New_York')).toBe('2026-07-01T08:00:00-04:00');
    expect(formatRfc3339(Date.UTC(2026, 6, 1, 12), 'UTC')).toBe('2026-07-01T12:00:00+00:00');
  });
  it('keeps the weekday and stays within 3 days of the same day of the year', () => {
    for (const c of complaints.slice(0, 500)) {
      const src = parseCfpbDate(c.dateReceived);
      expect(src).toBeDefined();
      if (!src) continue;
      const dst = mapToYear(src, 2026);
      expect(dst.y).toBe(2026);
      const weekday = (d: { y: number; m: number; d: number }) => new Date(Date.UTC(d.y, d.m - 1, d.d)).getUTCDay();
      expect(weekday(dst)).toBe(weekday(src));
      const doy = (d: { y: number; m: number; d: number }) => (Date.UTC(d.y, d.m - 1, d.d) - Date.UTC(d.y, 0, 1)) / 86_400_000;
      expect(Math.abs(doy(dst) - doy(src))).toBeLessThanOrEqual(7);
    }
    expect(mapToYear({ y: 2019, m: 12, d: 31 }, 2026).y).toBe(2026);
    expect(mapToYear({ y: 2020, m: 1, d: 1 }, 2026).y).toBe(2026);
  });
  it('parses CFPB, ISO and US dates and refuses impossible ones', () => {
    expect(parseCfpbDate('2019/9/24')).toEqual({ y: 2019, m: 9, d: 24 });
    expect(parseCfpbDate('2019-09-24')).toEqual({ y: 2019, m: 9, d: 24 });
    expect(parseCfpbDate('9/24/2019')).toEqual({ y: 2019, m: 9, d: 24 });
    expect(parseCfpbDate('2019/2/30')).toBeUndefined();
  });
});

describe('generate - lifecycles', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateLifecycles(complaints, opts)).toEqual(events);
    const other = generateLifecycles(complaints, { ...opts, seed: 2 });
    expect(other.map((e) => e.customerId)).not.toEqual(events.map((e) => e.customerId));
  });
  it('produces only events that the contract schema accepts', () => {
    for (const e of events) {
      if (!validateEvent({ ...e })) throw new Error(`${e.eventId}: ${JSON.stringify(validateEvent.errors)}`);
      expect(referenceRejection(JSON.stringify(e))).toBeUndefined();
    }
  });
  it('stamps every event inside the target year, RFC 3339 with +08:00, in time order', () => {
    let prev = -Infinity;
    for (const e of events) {
      expect(e.occurredAt).toMatch(RFC3339_WITH_OFFSET);
      expect(e.occurredAt.endsWith('+08:00')).toBe(true);
      const t = Date.parse(e.occurredAt);
      expect(t).toBeGreaterThanOrEqual(startMs);
      expect(t).toBeLessThan(endMs);
      expect(t).toBeGreaterThanOrEqual(prev);
      prev = t;
    }
  });
  it('gives unique event ids and one ticket per complaint, derived from its id', () => {
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(tickets).toHaveLength(complaints.length);
    for (const t of tickets) expect(t.ticketId).toBe(`CFPB-${t.complaintId}`);
  });
  it('follows the process: opened first, first contact with an outcome, escalations only when not agreed', () => {
    for (const t of tickets) {
      const [first, ...rest] = t.events;
      expect(first?.kind).toBe('opened');
      expect(first?.customer?.phone).toMatch(/^1\d{10}$/);
      expect(first?.customer?.idNumber).toMatch(/^\d{17}[\dX]$/);
      expect(first?.customer?.cardNumber).toMatch(/^622202\d{10}$/);
      const fc = rest.find((e) => e.kind === 'first_contact');
      if (rest.some((e) => e.kind === 'escalated')) expect(fc?.outcome).toBe('not_agreed');
      for (const e of rest) expect(e.customer).toBeUndefined();
    }
  });
  it('has every kind of event, repeat customers, unclassified tickets with text and tags', () => {
    const kinds = new Set(events.map((e) => e.kind));
    expect(kinds).toEqual(new Set(['opened', 'first_contact', 'escalated', 'resolved', 'reopened', 'corrected']));
    const escalations = new Set(events.map((e) => e.escalation).filter(Boolean));
    expect(escalations).toEqual(new Set(['case_meeting', 'mediation', 'management']));
    expect(new Set(tickets.map((t) => t.customerId)).size).toBeLessThan(tickets.length * 0.95);
    const unclassified = tickets.filter((t) => t.reportedType === 'unclassified');
    expect(unclassified.length).toBeGreaterThan(400);
    for (const t of unclassified) {
      const opened = t.events[0];
      expect(opened?.text).toBeTruthy();
      expect(opened?.channel).toBe('regulator_12378');
      expect(opened?.tags?.product).toBeUndefined();
      expect(opened?.tags?.reason).toBeTruthy();
    }
    expect(events.some((e) => e.branch === 'SZ')).toBe(true);
    expect(events.some((e) => /1\d{10}/.test(e.text ?? ''))).toBe(true);
  });
  it('applies corrections to later events and to the truth', () => {
    const corrected = tickets.filter((t) => t.events.some((e) => e.kind === 'corrected'));
    expect(corrected.length).toBeGreaterThan(50);
    for (const t of corrected) {
      const last = t.events[t.events.length - 1];
      expect(last?.complaintType).toBe(t.finalType);
      expect(last?.branch).toBe(t.finalBranch);
    }
  });
  it('gives the plan types a small not-agreed base, insurance the smallest', () => {
    const notAgreed = (type: string) =>
      new Set(tickets.filter((t) => t.finalType === type && t.firstContact === 'not_agreed').map((t) => t.customerId)).size;
    const [mortgage, insurance, auto] = PLAN_TYPES.map(notAgreed);
    expect(mortgage).toBeGreaterThan(40);
    expect(mortgage).toBeLessThan(80);
    expect(insurance).toBeGreaterThanOrEqual(1);
    expect(insurance).toBeLessThanOrEqual(5);
    expect(auto).toBeGreaterThan(15);
    expect(auto).toBeLessThan(40);
  });
  it('keeps the arrival weekday shape of the source', () => {
    const src = new Array(7).fill(0);
    const dst = new Array(7).fill(0);
    for (const c of complaints) {
      const d = parseCfpbDate(c.dateReceived);
      if (d) src[new Date(Date.UTC(d.y, d.m - 1, d.d)).getUTCDay()]++;
    }
    for (const e of events) if (e.kind === 'opened') dst[new Date(`${e.occurredAt.slice(0, 10)}T00:00:00Z`).getUTCDay()]++;
    expect(dst).toEqual(src);
  });
  it('stays inside other years and zones too (leap year, UTC offset Z-zone)', () => {
    for (const [year, timezone, suffix] of [[2028, 'UTC', '+00:00'], [2025, 'Asia/Shanghai', '+08:00']] as const) {
      const b = yearBounds(year, timezone);
      const evs = generateLifecycles(complaints.slice(0, 800), { seed: 3, year, timezone });
      for (const e of evs) {
        expect(e.occurredAt.endsWith(suffix)).toBe(true);
        const t = Date.parse(e.occurredAt);
        expect(t >= b.startMs && t < b.endMs).toBe(true);
      }
    }
  });
  it('samples and suffixes ids for later rounds', () => {
    const some = generateTickets(complaints, { ...opts, sample: 0.1, idSuffix: 'r1' });
    expect(some.length).toBeGreaterThan(300);
    expect(some.length).toBeLessThan(600);
    expect(some.every((t) => t.ticketId.endsWith('-r1'))).toBe(true);
  });
});

describe('replay - compressed time and restamping', () => {
  it('schedules the chosen window proportionally and leaves occurredAt alone', () => {
    const from = new Date(startMs);
    const to = new Date(zonedToUtc(2026, 3, 1, 0, 0, 0, 'Asia/Shanghai'));
    const speedup = (to.getTime() - from.getTime()) / 10_000;
    const s = timeCompressed(events, { from, to, speedup });
    expect(s.length).toBe(events.filter((e) => Date.parse(e.occurredAt) < to.getTime()).length);
    expect(s.every((x) => x.delayMs >= 0 && x.delayMs < 10_000)).toBe(true);
    expect(s.every((x, k) => k === 0 || (s[k - 1]?.delayMs ?? 0) <= x.delayMs)).toBe(true);
    expect(s[0]?.event).toBe(events[0]);
    expect(() => timeCompressed(events, { from, speedup: 0 })).toThrow(RangeError);
  });
  it('restamps a copy with the given instant', () => {
    const e = events[0];
    if (!e) throw new Error('no events');
    const r = restamp(e, Date.UTC(2026, 10, 25, 4, 0, 0), 'Asia/Shanghai');
    expect(r.occurredAt).toBe('2026-11-25T12:00:00+08:00');
    expect(r.eventId).toBe(e.eventId);
    expect(e.occurredAt).not.toBe(r.occurredAt);
  });
});
