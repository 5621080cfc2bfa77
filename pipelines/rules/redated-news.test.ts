import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { deriveCaseAlerts } from './derive.ts';
import { mergeDerived, type AlertRecord } from './lifecycle.ts';
import { DAY, ev, world } from './testkit.ts';
import type { DerivedAlert, HistoryEntry } from './types.ts';

// Audit CN3: a strict-mode case whose `opened` event (the ticket's receipt) arrived after its
// first contact, when it was already overdue, was paged `overdue` a second time: the earlier
// receipt moved its deadline, the line got a new id, and every re-dated line but `opened` and
// `raised` went out as news (a re-dated `stale`, a level alert's `resolved` a week later too).
// A step the alert already showed, only re-dated or re-figured, is said by `amended` alone; a
// step it had not shown (a second stretch without progress, a second closing) still goes out.

const HOUR = 3_600_000;
const ID = 'case.T1';

/** The engine's turn, pure: events in, re-derived at `now`, merged; returns what was sent. */
function engine(cases?: { noProgressHours?: number; deadlineDays?: number }) {
  let w = world(cases ? { cases } : undefined);
  let record: AlertRecord | undefined;
  const t0 = w.plan.weeks[9]!.startMs; // early March
  const derive = (nowMs: number, reason: string): string[] => {
    const d = deriveCaseAlerts(w.plan, w.book, ['T1'], nowMs, w.cfg).alerts.find((a) => a.id === ID)!;
    const step = mergeDerived(record, d, nowMs, { retroactive: reason !== 'clock', reason }, w.cfg);
    record = step.record;
    return step.entries.map((e) => e.what);
  };
  return {
    t0,
    get record() { return record!; },
    ins: (kind: MaskedEvent['kind'], t: number, eventId: string, extra: Partial<MaskedEvent> = {}) =>
      ev(kind, 'T1', t, { eventId, complaintType: 'insurance', branch: 'SH', ...extra }),
    events(events: MaskedEvent[], nowMs: number, reason = 'events') {
      w.add(events);
      return derive(nowMs, reason);
    },
    clock: (nowMs: number) => derive(nowMs, 'clock'),
    /** the plan changed: the same events, derived again under the new settings */
    replan(next: { noProgressHours?: number; deadlineDays?: number }, all: MaskedEvent[], nowMs: number) {
      w = world({ cases: next });
      w.add(all);
      return derive(nowMs, 'plan changed');
    },
  };
}

describe('a case: a step already shown, re-dated, is amended only', () => {
  it('overdue, then its receipt arrives late and moves the deadline earlier: amended, not overdue again (CN3)', () => {
    const e = engine();
    const fc = e.ins('first_contact', e.t0 + 2 * DAY, 'fc', { outcome: 'not_agreed' });
    const now = e.t0 + 20 * DAY;
    expect(e.events([fc], now)).toEqual(expect.arrayContaining(['opened', 'stale', 'overdue']));
    expect(e.record).toMatchObject({ status: 'open', urgency: 'overdue' });
    const sent = e.events([e.ins('opened', e.t0, 'op')], now + 4_000, 'late event');
    expect(sent).toEqual(['amended']);
    const overdue = e.record.history.filter((h) => h.what === 'overdue');
    expect(overdue.map((h) => h.atMs)).toEqual([e.t0 + 15 * DAY]); // the record has the new deadline
    const amended = e.record.history.find((h) => h.what === 'amended')!;
    expect(amended.before).toContain('overdue');
    expect(amended.after).toContain(`overdue ${new Date(e.t0 + 15 * DAY).toISOString()}`);
  });

  it('stale, then an earlier first contact arrives: the same stretch without progress, re-dated', () => {
    const e = engine();
    const late = e.ins('first_contact', e.t0 + DAY, 'fc2', { outcome: 'not_agreed' });
    const now = e.t0 + 5 * DAY;
    expect(e.events([late], now)).toEqual(expect.arrayContaining(['opened', 'stale']));
    const sent = e.events([e.ins('first_contact', e.t0 + 12 * HOUR, 'fc1', { outcome: 'not_agreed' })], now + 1_000, 'late event');
    expect(sent).toEqual(['amended']);
    expect(e.record.history.filter((h) => h.what === 'stale').map((h) => h.atMs)).toEqual([e.t0 + 12 * HOUR + 72 * HOUR]);
  });

  it('a plan change of the hours without progress re-figures the stale line: amended only', () => {
    const e = engine();
    const fc = e.ins('first_contact', e.t0, 'fc', { outcome: 'not_agreed' });
    const now = e.t0 + 5 * DAY;
    expect(e.events([fc], now)).toContain('stale');
    expect(e.replan({ noProgressHours: 48 }, [fc], now + 1_000)).toEqual(['amended']);
  });

  it('closed at its opening by a resolution dated before it, then an earlier first contact: the same closing, re-dated', () => {
    const e = engine();
    const t = e.t0;
    const r0 = e.ins('resolved', t + 5 * HOUR, 'r0', { outcome: 'agreed' });
    expect(e.events([r0, e.ins('first_contact', t + 6 * HOUR, 'fc2', { outcome: 'not_agreed' })], t + 7 * HOUR)).toEqual(['opened', 'closed', 'resolved']);
    expect(e.events([e.ins('first_contact', t + HOUR, 'fc1', { outcome: 'not_agreed' })], t + 8 * HOUR, 'late event')).toEqual(['amended']);
    expect(e.record).toMatchObject({ status: 'resolved', openedAtMs: t + HOUR, resolvedAtMs: t + 5 * HOUR });
  });

  it('an acknowledged overdue case whose deadline moves stays acknowledged and is not paged', () => {
    const e = engine();
    const now = e.t0 + 20 * DAY;
    e.events([e.ins('first_contact', e.t0 + 2 * DAY, 'fc', { outcome: 'not_agreed' })], now);
    const r = e.record;
    r.status = 'acknowledged';
    r.ack = { by: '王主管', atMs: now, reason: 'investigating' };
    expect(e.events([e.ins('opened', e.t0, 'op')], now + 1_000, 'late event')).toEqual(['amended']);
    expect(e.record.status).toBe('acknowledged');
  });
});

describe('a case: a step not shown before still goes out, once', () => {
  it('stale, progress, stale again: the second stretch is news', () => {
    const e = engine();
    const t = e.t0;
    expect(e.events([e.ins('first_contact', t, 'fc', { outcome: 'not_agreed' })], t + 4 * DAY)).toContain('stale');
    expect(e.events([e.ins('escalated', t + 4 * DAY, 'esc', { escalation: 'mediation' })], t + 4 * DAY + 1_000)).toEqual(['case-escalated']);
    expect(e.clock(t + 7 * DAY + 1_000)).toEqual(['stale']);
    expect(e.clock(t + 7 * DAY + 2_000)).toEqual([]);
    expect(e.clock(t + 16 * DAY)).toEqual(['overdue']);
  });

  it('closed, re-opened and closed again in one batch: the second closing goes out', () => {
    const e = engine();
    const t = e.t0;
    e.events([e.ins('first_contact', t, 'fc', { outcome: 'not_agreed' })], t + HOUR);
    expect(e.events([e.ins('resolved', t + 2 * HOUR, 'r1', { outcome: 'agreed' })], t + 3 * HOUR)).toEqual(['closed', 'resolved']);
    const sent = e.events([e.ins('reopened', t + 4 * HOUR, 'ro'), e.ins('resolved', t + 5 * HOUR, 'r2', { outcome: 'agreed' })], t + 6 * HOUR);
    expect(sent).toEqual(['ticket-reopened', 'closed', 'resolved', 'amended']); // amended: the first end taken back
    expect(e.record).toMatchObject({ status: 'resolved', resolution: 'closed', resolvedAtMs: t + 5 * HOUR });
  });

  it('closed, re-opened, closed again, one event at a time: each closing goes out once', () => {
    const e = engine();
    const t = e.t0;
    e.events([e.ins('first_contact', t, 'fc', { outcome: 'not_agreed' })], t + HOUR);
    expect(e.events([e.ins('resolved', t + 2 * HOUR, 'r1', { outcome: 'agreed' })], t + 3 * HOUR)).toEqual(['closed', 'resolved']);
    expect(e.events([e.ins('reopened', t + 4 * HOUR, 'ro')], t + 5 * HOUR)).toEqual(['ticket-reopened', 'amended']);
    expect(e.events([e.ins('resolved', t + 6 * HOUR, 'r2', { outcome: 'agreed' })], t + 7 * HOUR)).toEqual(['closed', 'resolved']);
  });
});

describe('a level alert: its recovery re-dated', () => {
  const T = Date.parse('2025-03-03T00:00:00+08:00');
  const W = 7 * DAY;
  const LID = 'level.2025.steady.BJ.1';
  const { cfg } = world();
  const line = (what: string, level: 'watch' | 'ok', at: number, unresolved: number): HistoryEntry =>
    ({ id: `${LID}/${what}/${at}/${level}`, atMs: at, what, level, detail: { unresolved, allowanceToDate: 10, ratio: unresolved / 10 } });
  const opened = line('opened', 'watch', T + HOUR, 8);
  const alert = (history: HistoryEntry[], clearedAtMs?: number): DerivedAlert =>
    ({ id: LID, kind: 'level', complaintType: 'steady', scope: 'BJ', level: 'watch', currentLevel: clearedAtMs ? 'ok' : 'watch', openedAtMs: T + HOUR, history, ...(clearedAtMs ? { clearedAtMs } : {}) });
  const first = mergeDerived(undefined, alert([opened]), T + HOUR, { retroactive: false, reason: 'events' }, cfg);
  const resolved = mergeDerived(first.record, alert([opened, line('resolved', 'ok', T + 2 * W, 5)], T + 2 * W), T + 2 * W, { retroactive: false, reason: 'clock' }, cfg);

  it('resolved a week later (a late event kept it up): amended, not resolved again', () => {
    expect(resolved.entries.map((e) => e.what)).toEqual(['resolved']);
    const later = mergeDerived(resolved.record, alert([opened, line('resolved', 'ok', T + 3 * W, 6)], T + 3 * W), T + 3 * W + HOUR, { retroactive: true, reason: 'late event' }, cfg);
    expect(later.entries.map((e) => e.what)).toEqual(['amended']);
    expect(later.record).toMatchObject({ status: 'resolved', resolvedAtMs: T + 3 * W });
  });

  it('its figures re-figured, the same week: amended only', () => {
    const refigured = mergeDerived(resolved.record, alert([opened, line('resolved', 'ok', T + 2 * W, 4)], T + 2 * W), T + 2 * W + HOUR, { retroactive: true, reason: 'correction c1' }, cfg);
    expect(refigured.entries.map((e) => e.what)).toEqual(['amended']);
  });

  it('taken back (open again), then resolved later: that end goes out', () => {
    const back = mergeDerived(resolved.record, alert([opened]), T + 2 * W + HOUR, { retroactive: true, reason: 'late event' }, cfg);
    expect(back.record.status).toBe('open');
    const again = mergeDerived(back.record, alert([opened, line('resolved', 'ok', T + 4 * W, 3)], T + 4 * W), T + 4 * W, { retroactive: false, reason: 'clock' }, cfg);
    expect(again.entries.map((e) => e.what)).toEqual(['resolved']);
  });
});
