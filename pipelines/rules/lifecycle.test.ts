import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { TicketBook } from './cases.ts';
import { deriveCaseAlerts } from './derive.ts';
import { reconcile, type AlertRecord } from './lifecycle.ts';
import { ev, world } from './testkit.ts';

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
