import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { CLOSE_RESTORED } from './close-standing.ts';
import { deriveCaseAlerts, deriveLevelAlerts } from './derive.ts';
import { applyAction, escalationDue, reconcile, type Action, type AlertRecord, type Step } from './lifecycle.ts';
import { ev, world } from './testkit.ts';

// Audit CT3: a case resolved by hand, withdrawn by a plan change (strict → relative) or a
// correction, and derived again when the plan went back or a second correction undid the first,
// came back open and unacknowledged and paged the gateways (撤销的预警恢复), while an
// acknowledgement in the same round trip was given back (原确认恢复有效). The ticket had not moved:
// the close by hand stands, unless the ticket moved after it or the level rose (docs/ALERTS.md).

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LEVEL = 'level.2025.steady.BJ.1';
const CASE = 'case.T1';

function engineLike() {
  const w = world();
  const records = new Map<string, AlertRecord>();
  const t0 = w.plan.weeks[1]!.startMs; // steady/BJ allows 10 to date in week 2
  let now = t0 + 2 * HOUR;
  let n = 0;
  let last: Step[] = [];
  const keys = [{ complaintType: 'steady', scope: 'BJ' }];
  const fold = (steps: Step[]) => {
    last = steps;
    for (const s of steps) records.set(s.record.id, s.record);
  };
  const derive = (reason: string) => {
    now += 1_000;
    const cases = deriveCaseAlerts(w.plan, w.book, w.book.ticketIds(), now, w.cfg);
    const derived = [...deriveLevelAlerts(w.plan, w.index, keys, now, w.cfg), ...cases.alerts];
    const covered = (r: AlertRecord) => (r.kind === 'level' ? r.complaintType === 'steady' && r.scope === 'BJ' : cases.covered.has(r.ticketId!));
    fold(reconcile(records, derived, covered, now, { retroactive: true, reason }, w.cfg));
  };
  const insurance = (kind: MaskedEvent['kind'], atMs: number, id: string, extra: Partial<MaskedEvent> = {}) =>
    ev(kind, 'T1', atMs, { eventId: id, complaintType: 'insurance', branch: 'SH', ...extra });
  return {
    t0,
    get: (id: string) => records.get(id)!,
    /** what the last derivation sent to be logged and announced */
    sent: (id: string) => last.filter((s) => s.record.id === id).flatMap((s) => s.entries),
    now: () => now,
    /** `count` not-agreed first contacts of steady/BJ, one ticket each */
    contacts(count: number, atMs = t0 + HOUR): string[] {
      const ids = Array.from({ length: count }, () => `A${++n}`);
      w.add(ids.map((t) => ev('first_contact', t, atMs, { eventId: `${t}-fc`, outcome: 'not_agreed' })));
      derive('events');
      return ids;
    },
    /** the strict ticket T1: a first contact not agreed, an open case */
    openCase() {
      w.add([insurance('first_contact', t0 + HOUR, 'T1-fc', { outcome: 'not_agreed' })]);
      derive('events');
    },
    insurance,
    events(events: MaskedEvent[], reason = 'events') {
      w.add(events);
      derive(reason);
    },
    correct(ticketId: string, complaintType: string, branch = 'BJ') {
      now += 1_000;
      const id = `corr-${ticketId}-${now}`;
      w.add([ev('corrected', ticketId, now, { eventId: id, complaintType, reportedType: complaintType, branch })]);
      derive(`correction ${id}`);
    },
    derive,
    /** a plan change that derives nothing for them (strict → relative, an allowance raised): withdrawn */
    withdraw(kind: AlertRecord['kind']) {
      now += 1_000;
      fold(reconcile(records, [], (r) => r.kind === kind, now, { retroactive: true, reason: 'plan changed' }, w.cfg));
    },
    act(a: Action, id: string) {
      now += 1_000;
      const s = applyAction(records.get(id)!, a, now, () => `${id}/${a.type}/${now}`, w.cfg);
      records.set(id, s.record);
      return s.record;
    },
    /** the on-call ladder over `minutes` */
    wait(minutes: number, id: string) {
      now += minutes * MINUTE;
      for (let s = escalationDue(records.get(id)!, now, w.cfg.onCall); s; s = escalationDue(records.get(id)!, now, w.cfg.onCall)) records.set(id, s.record);
    },
  };
}

const whats = (r: AlertRecord) => r.history.map((h) => h.what);

describe('close-standing - a case resolved by hand, withdrawn and derived again', () => {
  it('a plan round trip (strict → relative → strict): resolved by hand as it was, the closure said, no page', () => {
    const e = engineLike();
    e.openCase();
    const closed = e.act({ type: 'resolve', by: '王主管', note: '已与客户电话沟通' }, CASE);
    expect(closed).toMatchObject({ status: 'resolved', resolution: 'manual' });
    e.withdraw('case');
    expect(e.get(CASE)).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
    e.derive('plan changed');
    const r = e.get(CASE);
    expect(r).toMatchObject({ status: 'resolved', resolution: 'manual', resolvedAtMs: closed.resolvedAtMs });
    expect(whats(r)).not.toContain('reopened');
    expect(r.history.at(-1)).toMatchObject({
      what: CLOSE_RESTORED,
      before: 'resolved/watch',
      after: 'resolved/watch',
      reason: expect.stringContaining('plan changed'),
      detail: { restored: { by: '王主管', atMs: closed.resolvedAtMs, note: '已与客户电话沟通' } },
    });
    expect(r.history.at(-1)!.by).toBeUndefined(); // the rules gave it back, no person acted
    // what goes to the gateways: the alert stays resolved, and the line says the closure stands
    expect(e.sent(CASE).map((h) => h.what)).toContain(CLOSE_RESTORED);
    const onCall = r.onCall;
    e.wait(120, CASE);
    expect(e.get(CASE)).toMatchObject({ status: 'resolved', onCall });
  });

  it('a correction round trip (re-typed, then back): resolved by hand as it was', () => {
    const e = engineLike();
    e.openCase();
    const closed = e.act({ type: 'resolve', by: '王主管' }, CASE);
    e.correct('T1', 'steady', 'SH'); // not a strict type: no case
    expect(e.get(CASE)).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
    e.correct('T1', 'insurance', 'SH'); // the first correction undone
    expect(e.get(CASE)).toMatchObject({ status: 'resolved', resolution: 'manual', resolvedAtMs: closed.resolvedAtMs });
    expect(whats(e.get(CASE)).at(-1)).toBe(CLOSE_RESTORED);
  });

  it('twice round: still resolved by hand, one line each time', () => {
    const e = engineLike();
    e.openCase();
    const closed = e.act({ type: 'resolve', by: '王主管' }, CASE);
    for (let i = 0; i < 2; i++) {
      e.withdraw('case');
      e.derive('plan changed');
    }
    expect(e.get(CASE)).toMatchObject({ status: 'resolved', resolution: 'manual', resolvedAtMs: closed.resolvedAtMs });
    expect(whats(e.get(CASE)).filter((w) => w === CLOSE_RESTORED)).toHaveLength(2);
  });

  it('the ticket moved after the close while it was withdrawn: open again, the reopened line names the event', () => {
    const e = engineLike();
    e.openCase();
    e.act({ type: 'resolve', by: '王主管' }, CASE);
    e.withdraw('case');
    e.events([e.insurance('escalated', e.now() + 500, 'T1-esc', { escalation: 'mediation' })]);
    const r = e.get(CASE);
    expect(r).toMatchObject({ status: 'open' });
    expect(r.resolution).toBeUndefined();
    expect(r.history.at(-1)).toMatchObject({ what: 'reopened', reason: 'case-escalated T1-esc', before: 'resolved/watch' });
  });

  it('an acknowledgement given before the close is not given back over it: the case stays resolved by hand', () => {
    const e = engineLike();
    e.openCase();
    e.act({ type: 'ack', by: '李主管', reason: 'investigating' }, CASE);
    e.act({ type: 'resolve', by: '王主管' }, CASE);
    e.withdraw('case');
    e.derive('plan changed');
    expect(e.get(CASE)).toMatchObject({ status: 'resolved', resolution: 'manual' });
  });
});

describe('close-standing - a level alert resolved by hand, withdrawn and derived again', () => {
  it('back at the level it was closed at: resolved by hand as it was', () => {
    const e = engineLike();
    e.contacts(11); // 11/10: breach
    const closed = e.act({ type: 'resolve', by: '王主管' }, LEVEL);
    e.withdraw('level');
    expect(e.get(LEVEL)).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
    e.derive('re-derived at start');
    expect(e.get(LEVEL)).toMatchObject({ status: 'resolved', resolution: 'manual', resolvedAtMs: closed.resolvedAtMs, level: 'breach' });
    expect(whats(e.get(LEVEL)).at(-1)).toBe(CLOSE_RESTORED);
  });

  it('back at a higher level (customers reported late): open, as a rise after a close by hand opens it', () => {
    const e = engineLike();
    e.contacts(8); // 8/10: watch
    e.act({ type: 'resolve', by: '王主管' }, LEVEL);
    e.withdraw('level');
    e.contacts(3); // 11/10, dated before the close: breach
    const r = e.get(LEVEL);
    expect(r).toMatchObject({ status: 'open', level: 'breach' });
    expect(r.history.at(-1)).toMatchObject({ what: 'reopened', reason: 'level rose to breach' });
  });

  it('withdrawn by a correction and crossed again by customers dated after the close: a new situation, open', () => {
    const e = engineLike();
    const [first] = e.contacts(8); // watch
    const closed = e.act({ type: 'resolve', by: '王主管' }, LEVEL);
    e.correct(first!, 'weekly'); // 7/10: ok, withdrawn
    expect(e.get(LEVEL)).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
    e.contacts(1, closed.resolvedAtMs! + 500);
    expect(e.get(LEVEL)).toMatchObject({ status: 'open', level: 'watch' });
  });
});
