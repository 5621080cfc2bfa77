import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { TicketBook } from './cases.ts';
import { deriveCaseAlerts, deriveLevelAlerts } from './derive.ts';
import { applyAction, reconcile, type Action, type AlertRecord, type Step } from './lifecycle.ts';
import { DAY, ev, notAgreed, world } from './testkit.ts';

// Contract §1: the results are those of applying each distinct event once, whatever the batches
// they arrive in. A case's final state (open or how it was resolved, its type and scope) is held
// to that over every order and every batching of a ticket's events, each batch re-derived as the
// engine does (server/alerts/engine.ts evaluate). Withdrawn episodes on the way are allowed to
// differ (docs/ALERTS.md, Restart): a record withdrawn at the end counts as no record.

const HOUR = 3_600_000;
const { plan, cfg } = world();

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Every way to cut a sequence into consecutive non-empty batches. */
function batchings<T>(items: readonly T[]): T[][][] {
  if (items.length === 0) return [[]];
  return Array.from({ length: items.length }, (_, i) => i + 1).flatMap((n) => batchings(items.slice(n)).map((rest) => [items.slice(0, n), ...rest]));
}

interface Run { state: Partial<AlertRecord> | undefined; record: AlertRecord | undefined }

function run(batches: readonly MaskedEvent[][], t0: number): Run {
  const book = new TicketBook();
  const records = new Map<string, AlertRecord>();
  let now = t0 + 10 * HOUR;
  for (const batch of batches) {
    now += 1_000;
    book.apply(batch);
    const tickets = new Set(batch.map((e) => e.ticketId));
    const corrections = batch.filter((e) => e.kind === 'corrected').map((e) => e.eventId);
    const cause = { retroactive: corrections.length > 0, reason: corrections.length ? `correction ${corrections.join(', ')}` : 'events' };
    const { alerts, covered } = deriveCaseAlerts(plan, book, tickets, now, cfg);
    for (const s of reconcile(records, alerts, (r) => r.ticketId !== undefined && covered.has(r.ticketId), now, cause, cfg)) records.set(s.record.id, s.record);
  }
  const record = records.get('case.T');
  if (!record || record.resolution === 'withdrawn') return { state: undefined, record };
  const { status, resolution, resolvedAtMs, complaintType, scope, level, openedAtMs } = record;
  return { state: { status, resolution, resolvedAtMs, complaintType, scope, level, openedAtMs }, record };
}

/** Runs every order and batching; returns the distinct final states, each with one way to get it. */
function finalStates(events: readonly MaskedEvent[], t0: number) {
  const seen = new Map<string, { state: Run['state']; batches: string; record: AlertRecord | undefined }>();
  for (const order of permutations(events)) {
    for (const batches of batchings(order)) {
      const { state, record } = run(batches, t0);
      const key = JSON.stringify(state);
      if (!seen.has(key)) seen.set(key, { state, record, batches: batches.map((b) => b.map((e) => e.eventId).join('+')).join(' | ') });
    }
  }
  return [...seen.values()];
}

describe('lifecycle - a case ends the same whatever the batches', () => {
  const t0 = plan.weeks[10]!.startMs;
  const contact = ev('first_contact', 'T', t0, { eventId: 'contact', complaintType: 'insurance', outcome: 'not_agreed' });
  const toSteady = ev('corrected', 'T', t0 + HOUR, { eventId: 'to-steady', complaintType: 'steady' });
  const agreed = ev('resolved', 'T', t0 + 2 * HOUR, { eventId: 'agreed', complaintType: 'insurance', outcome: 'agreed' });
  const backToSH = ev('corrected', 'T', t0 + 3 * HOUR, { eventId: 'back-SH', complaintType: 'insurance', branch: 'SH' });

  // Audit J R3: withdrawn by the first correction, restored by the second already resolved: it
  // stayed `withdrawn`, where the four events in one batch give `closed`.
  it('withdrawn by one correction and restored, already resolved, by another: closed, in every order and batching', () => {
    const states = finalStates([contact, toSteady, agreed, backToSH], t0);
    expect(states.map((s) => [s.state, s.batches])).toEqual([[{ status: 'resolved', resolution: 'closed', resolvedAtMs: t0 + 2 * HOUR, complaintType: 'insurance', scope: 'SH', level: 'watch', openedAtMs: t0 }, expect.any(String)]]);
  });

  it('tells in its history that it was withdrawn and restored closed', () => {
    const { record } = run([[contact], [toSteady], [agreed, backToSH]], t0);
    const whats = record!.history.map((h) => h.what);
    expect(whats.indexOf('withdrawn')).toBeGreaterThan(-1);
    expect(whats.slice(whats.indexOf('withdrawn'))).toContain('amended');
    expect(record!.history.find((h) => h.what === 'amended')).toMatchObject({ reason: 'correction back-SH' });
    expect(record).toMatchObject({ status: 'resolved', resolution: 'closed', resolvedAtMs: t0 + 2 * HOUR });
  });

  it('restored before it was resolved: open until the resolution, then closed, in every order and batching', () => {
    expect(finalStates([contact, toSteady, backToSH], t0).map((s) => s.state)).toEqual([{ status: 'open', complaintType: 'insurance', scope: 'SH', level: 'watch', openedAtMs: t0 }]);
    const resolvedLater = ev('resolved', 'T', t0 + 4 * HOUR, { eventId: 'agreed-later', complaintType: 'insurance', outcome: 'agreed' });
    expect(finalStates([contact, toSteady, backToSH, resolvedLater], t0).map((s) => s.state)).toEqual([
      { status: 'resolved', resolution: 'closed', resolvedAtMs: t0 + 4 * HOUR, complaintType: 'insurance', scope: 'SH', level: 'watch', openedAtMs: t0 },
    ]);
  });

  it('the restoring correction dated before the withdrawing one: withdrawn in every order and batching', () => {
    const backEarly = { ...backToSH, occurredAtMs: t0 + HOUR / 2, occurredAt: new Date(t0 + HOUR / 2).toISOString() };
    expect(finalStates([contact, toSteady, agreed, backEarly], t0).map((s) => s.state)).toEqual([undefined]);
  });
});

describe('lifecycle - late events and people', () => {
  const insurance = (kind: MaskedEvent['kind'], ticket: string, t: number, id: string, extra: Partial<MaskedEvent> = {}) =>
    ev(kind, ticket, t, { eventId: id, complaintType: 'insurance', branch: 'SH', ...extra });
  const t0 = plan.weeks[10]!.startMs;

  function engineLike() {
    const w = world();
    const records = new Map<string, AlertRecord>();
    let now = plan.weeks[12]!.startMs;
    const steps: Step[] = [];
    return {
      w,
      records,
      get now() { return now; },
      add(events: MaskedEvent[], reason = 'late event', advanceMs = 1_000) {
        now += advanceMs;
        w.add(events);
        const keys = [{ complaintType: 'weekly', scope: 'ALL' }];
        const cases = deriveCaseAlerts(w.plan, w.book, w.book.ticketIds(), now, w.cfg);
        const derived = [...deriveLevelAlerts(w.plan, w.index, keys, now, w.cfg), ...cases.alerts];
        const covered = (r: AlertRecord) => r.kind === 'level' || (r.ticketId !== undefined && cases.covered.has(r.ticketId));
        for (const s of reconcile(records, derived, covered, now, { retroactive: true, reason }, w.cfg)) { records.set(s.record.id, s.record); steps.push(s); }
      },
      act(id: string, a: Action) {
        now += 1_000;
        const s = applyAction(records.get(id)!, a, now, () => `${id}/${a.type}/${now}`, w.cfg);
        records.set(id, s.record);
        return s.record;
      },
      steps,
    };
  }

  // Audit S F3: a level alert kept its first resolvedAt and "resolved" line (figures no longer
  // true) and gained a second "resolved" line, without an amended line.
  it('late events that move a level alert\'s end: one resolution, the new one, and one amended line quoting the old', () => {
    const e = engineLike();
    const wk = (i: number) => plan.weeks[i]!.startMs;
    // 'weekly' allows one a week: 3 in week 3 (ratio 3/3 at its end) fall back at week 4's start (3/4)
    e.add(notAgreedAt(3, wk(2) + DAY));
    expect(e.records.get('level.2025.weekly.ALL.1')).toMatchObject({ status: 'resolved', resolvedAtMs: wk(3) });
    // one more in the same week, delivered late: 4/4 at week 4's start, 4/5 at week 5's start, 4/6 ok at week 6's
    e.add(notAgreedAt(1, wk(2) + DAY));
    const r = e.records.get('level.2025.weekly.ALL.1')!;
    expect(r).toMatchObject({ status: 'resolved', resolution: 'recovered', resolvedAtMs: wk(5) });
    expect(r.history.filter((h) => h.what === 'resolved').map((h) => h.atMs)).toEqual([wk(5)]);
    const amended = r.history.filter((h) => h.what === 'amended');
    expect(amended).toHaveLength(1);
    expect(amended[0]).toMatchObject({ reason: 'late event', before: expect.stringContaining(`resolved ${new Date(wk(3)).toISOString()} ok 3/`) });
  });

  // Audit T 1: a supervisor's re-open was undone at the next derivation, silently.
  it('a person\'s re-open of a closed case holds against the close dated before it, until the ticket closes again', () => {
    const e = engineLike();
    e.add([insurance('first_contact', 'H1', t0, 'h1-fc', { outcome: 'not_agreed' }), insurance('resolved', 'H1', t0 + HOUR, 'h1-rs', { outcome: 'agreed' })]);
    expect(e.records.get('case.H1')).toMatchObject({ status: 'resolved', resolution: 'closed' });
    expect(e.act('case.H1', { type: 'reopen', by: '李值班', note: '客户又来电' })).toMatchObject({ status: 'open' });
    e.add([], 'clock');
    expect(e.records.get('case.H1')).toMatchObject({ status: 'open' });
    const reopenAt = e.now;
    // the clock past it: a close dated after now is not a fact yet (audit CH6)
    e.add([insurance('resolved', 'H1', reopenAt + HOUR, 'h1-rs2', { outcome: 'agreed' })], 'late event', 2 * HOUR);
    const r = e.records.get('case.H1')!;
    expect(r).toMatchObject({ status: 'resolved', resolution: 'closed', resolvedAtMs: reopenAt + HOUR });
    expect(e.steps.at(-1)!.entries.map((h) => h.what)).toEqual(expect.arrayContaining(['closed', 'resolved']));
  });

  it('a withdrawn alert cannot be re-opened by hand', () => {
    const e = engineLike();
    e.add([insurance('first_contact', 'H2', t0, 'h2-fc', { outcome: 'not_agreed' })]);
    e.add([insurance('corrected', 'H2', t0 + HOUR, 'h2-fix', { complaintType: 'steady' })]);
    expect(e.records.get('case.H2')).toMatchObject({ resolution: 'withdrawn' });
    expect(() => e.act('case.H2', { type: 'reopen', by: '李值班' })).toThrow(expect.objectContaining({ status: 409, code: 'WITHDRAWN' }));
  });

  // Audit T 2: a manual close stood against the ticket system's later re-opening.
  it('a manual close gives way to a re-opening or an escalation of the ticket dated after it, with a reopened line', () => {
    for (const later of ['reopened', 'escalated'] as const) {
      const e = engineLike();
      e.add([insurance('first_contact', 'D1', t0, 'd1-fc', { outcome: 'not_agreed' })]);
      e.act('case.D1', { type: 'resolve', by: '李值班', note: '电话已处理' });
      const closedAt = e.now;
      // facts dated before the person's close do not undo it
      e.add([insurance('escalated', 'D1', closedAt - HOUR, 'd1-es0', { escalation: 'case_meeting' })]);
      expect(e.records.get('case.D1')).toMatchObject({ status: 'resolved', resolution: 'manual' });
      e.add([insurance(later, 'D1', closedAt + HOUR, 'd1-later', later === 'escalated' ? { escalation: 'management' } : {})], 'late event', 2 * HOUR);
      const r = e.records.get('case.D1')!;
      expect(r, later).toMatchObject({ status: 'open' });
      expect(r.resolution).toBeUndefined();
      expect(r.history.at(-1), later).toMatchObject({ what: 'reopened', reason: `${later === 'reopened' ? 'ticket-reopened' : 'case-escalated'} d1-later` });
    }
  });

  // Audit T 9: escalating an acknowledged alert made it open but kept the acknowledgement.
  it('a person\'s escalation of an acknowledged alert opens it without the old acknowledgement', () => {
    const e = engineLike();
    e.add([insurance('first_contact', 'E1', t0, 'e1-fc', { outcome: 'not_agreed' })]);
    e.act('case.E1', { type: 'ack', by: '李值班', reason: 'case_meeting' });
    const r = e.act('case.E1', { type: 'escalate', by: '王主管' });
    expect(r).toMatchObject({ status: 'open' });
    expect(r.ack).toBeUndefined();
    expect(r.history.map((h) => h.what)).toEqual(expect.arrayContaining(['acknowledged', 'escalated']));
  });
});

function notAgreedAt(count: number, atMs: number): MaskedEvent[] {
  return notAgreed(count, atMs, 'weekly');
}
