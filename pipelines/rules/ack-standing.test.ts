import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { deriveCaseAlerts, deriveLevelAlerts } from './derive.ts';
import { applyAction, escalationDue, reconcile, type Action, type AlertRecord } from './lifecycle.ts';
import { ev, world } from './testkit.ts';

// Audit AF F1: an acknowledgement cleared by a level rise stayed cleared when a later derivation
// took the rise back (a correction removing the event behind it, an alert withdrawn by a plan
// change derived again at the acknowledged level): the alert stayed open and the ladder paged
// people for an alert acknowledged at that level. An acknowledgement stands for the level it was
// given at: once the rise is taken back it is back (who, why, when), and the ladder is still.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ID = 'level.2025.steady.BJ.1';

function engineLike() {
  const w = world();
  const records = new Map<string, AlertRecord>();
  const t0 = w.plan.weeks[1]!.startMs; // steady/BJ allows 10 to date in week 2
  let now = t0 + 2 * HOUR;
  let n = 0;
  const derive = (reason: string, keys = [{ complaintType: 'steady', scope: 'BJ' }]) => {
    const cases = deriveCaseAlerts(w.plan, w.book, w.book.ticketIds(), now, w.cfg);
    const derived = [...deriveLevelAlerts(w.plan, w.index, keys, now, w.cfg), ...cases.alerts];
    const covered = (r: AlertRecord) => (r.kind === 'level' ? keys.some((k) => k.complaintType === r.complaintType && k.scope === r.scope) : cases.covered.has(r.ticketId!));
    for (const s of reconcile(records, derived, covered, now, { retroactive: true, reason }, w.cfg)) records.set(s.record.id, s.record);
  };
  return {
    w,
    t0,
    records,
    get: (id = ID) => records.get(id)!,
    /** `count` not-agreed first contacts of steady/BJ, one ticket each; returns their ticket ids */
    contacts(count: number, atMs = t0 + HOUR): string[] {
      now += 1_000;
      const ids = Array.from({ length: count }, () => `A${++n}`);
      w.add(ids.map((t) => ev('first_contact', t, atMs, { eventId: `${t}-fc`, outcome: 'not_agreed' })));
      derive('events');
      return ids;
    },
    events(events: MaskedEvent[], reason = 'events') {
      now += 1_000;
      w.add(events);
      derive(reason);
    },
    correct(ticketId: string, complaintType: string) {
      now += 1_000;
      const id = `corr-${ticketId}-${now}`;
      w.add([ev('corrected', ticketId, t0 + HOUR, { eventId: id, complaintType })]);
      derive(`correction ${id}`);
    },
    derive(reason: string, keys?: Array<{ complaintType: string; scope: string }>) {
      now += 1_000;
      derive(reason, keys);
    },
    /** a derivation of the key that finds no alert (a plan change raising the allowance) */
    withdraw() {
      now += 1_000;
      for (const s of reconcile(records, [], (r) => r.kind === 'level', now, { retroactive: true, reason: 'plan changed' }, w.cfg)) records.set(s.record.id, s.record);
    },
    act(a: Action, id = ID) {
      now += 1_000;
      const s = applyAction(records.get(id)!, a, now, () => `${id}/${a.type}/${now}`, w.cfg);
      records.set(id, s.record);
      return s.record;
    },
    /** the on-call ladder over `minutes` */
    wait(minutes: number, id = ID) {
      now += minutes * MINUTE;
      for (let s = escalationDue(records.get(id)!, now, w.cfg.onCall); s; s = escalationDue(records.get(id)!, now, w.cfg.onCall)) records.set(id, s.record);
    },
  };
}

const whats = (r: AlertRecord) => r.history.map((h) => h.what);

describe('an acknowledgement cleared by a rise that is taken back', () => {
  it('a correction removes the event that raised the level: the acknowledgement stands again, the ladder stays still', () => {
    const e = engineLike();
    e.contacts(8); // 8/10: watch
    const acked = e.act({ type: 'ack', by: '值班主管甲', reason: 'investigating', note: '正在核实' });
    expect(acked).toMatchObject({ status: 'acknowledged', level: 'watch' });
    const [, , third] = e.contacts(3); // 11/10: breach
    expect(e.get()).toMatchObject({ status: 'open', level: 'breach' });
    expect(e.get().ack).toBeUndefined();
    e.wait(16); // the ladder climbs from the re-open
    expect(e.get().onCall.level).toBe(1);

    e.correct(third!, 'weekly'); // 10/10: watch again, the rise never happened
    const r = e.get();
    expect(r).toMatchObject({ status: 'acknowledged', level: 'watch', ack: acked.ack });
    expect(whats(r).slice(-2)).toEqual(['amended', 'acknowledged']);
    expect(r.history.at(-1)!.by).toBeUndefined(); // the rules gave it back, no person acted
    expect(r.history.at(-1)).toMatchObject({
      before: 'open/breach',
      after: 'acknowledged/watch',
      reason: expect.stringContaining('correction corr-'),
      detail: { restored: { by: '值班主管甲', atMs: acked.ack!.atMs, reason: 'investigating', note: '正在核实' } },
    });
    const climbed = r.onCall;
    e.wait(120);
    expect(e.get().onCall).toEqual(climbed);
    expect(whats(e.get()).filter((w) => w === 'escalated')).toHaveLength(1);
  });

  it('an alert acknowledged, withdrawn (a plan change) and derived again at the same level: acknowledged, not paged again', () => {
    const e = engineLike();
    e.contacts(11); // breach
    const acked = e.act({ type: 'ack', by: '主管乙', reason: 'case_meeting' });
    // a plan change whose allowance puts the key at ok derives nothing for it: withdrawn
    e.withdraw();
    expect(e.get()).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
    e.derive('re-derived at start'); // the plan file put back: the same level
    const r = e.get();
    expect(r).toMatchObject({ status: 'acknowledged', level: 'breach', ack: acked.ack });
    expect(r.resolution).toBeUndefined();
    expect(whats(r).slice(-2)).toEqual(['amended', 'acknowledged']);
    const onCall = r.onCall;
    e.wait(60);
    expect(e.get().onCall).toEqual(onCall);
  });

  it('a person who decided since (an escalation by hand) is not overruled: the alert stays open', () => {
    const e = engineLike();
    e.contacts(8);
    e.act({ type: 'ack', by: '甲' });
    const [third] = e.contacts(3);
    e.act({ type: 'escalate', by: '乙', note: '请部门负责人看' });
    e.correct(third!, 'weekly');
    expect(e.get()).toMatchObject({ status: 'open', level: 'watch' });
    expect(e.get().ack).toBeUndefined();
  });

  it('a correction that leaves the level above the acknowledged one: the alert stays open', () => {
    const e = engineLike();
    e.contacts(8);
    e.act({ type: 'ack', by: '甲' });
    const [first] = e.contacts(4); // 12/10
    e.correct(first!, 'weekly'); // 11/10: still breach
    expect(e.get()).toMatchObject({ status: 'open', level: 'breach' });
    expect(e.get().ack).toBeUndefined();
    expect(whats(e.get()).at(-1)).toBe('amended'); // the figures of the rise, not the rise
  });

  it('an acknowledgement given at breach, the level lowered by a correction and raised again to breach: still acknowledged, not re-opened', () => {
    const e = engineLike();
    const [first] = e.contacts(11);
    e.act({ type: 'ack', by: '甲', reason: 'investigating' });
    e.correct(first!, 'weekly'); // 10/10: watch, acknowledged as it was
    expect(e.get()).toMatchObject({ status: 'acknowledged', level: 'watch' });
    e.contacts(1); // 11/10: breach, the level the acknowledgement was given at
    expect(e.get()).toMatchObject({ status: 'acknowledged', level: 'breach' });
    expect(whats(e.get())).not.toContain('reopened');
  });

  // Audit CH1: the correction that withdrew it still stands; new customers made a new situation
  it('an alert acknowledged, withdrawn by a correction, and crossed again by customers dated after the acknowledgement: open, paged', () => {
    const e = engineLike();
    const [first] = e.contacts(8); // 8/10: watch
    const acked = e.act({ type: 'ack', by: '李主管', reason: 'investigating' });
    e.correct(first!, 'weekly'); // 7/10: ok, withdrawn
    expect(e.get()).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
    e.contacts(1, acked.ack!.atMs + 500); // 8/10 again, from a customer who came after the acknowledgement
    const r = e.get();
    expect(r).toMatchObject({ status: 'open', level: 'watch' });
    expect(r.ack).toBeUndefined();
    e.wait(16);
    expect(e.get().onCall.level).toBe(1); // the ladder pages
  });

  it('the same, but the customer who crosses again is dated before the acknowledgement (reported late): the acknowledgement stands', () => {
    const e = engineLike();
    const [first] = e.contacts(8);
    const acked = e.act({ type: 'ack', by: '李主管', reason: 'investigating' });
    e.correct(first!, 'weekly');
    e.contacts(1, acked.ack!.atMs - 60_000);
    expect(e.get()).toMatchObject({ status: 'acknowledged', level: 'watch', ack: acked.ack });
  });

  it('an alert open (never acknowledged) when withdrawn comes back open, its ladder from the start', () => {
    const e = engineLike();
    e.contacts(11);
    e.withdraw();
    e.derive('re-derived at start');
    expect(e.get()).toMatchObject({ status: 'open', level: 'breach' });
    expect(e.get().ack).toBeUndefined();
  });
});

describe('a case acknowledged before it went stale', () => {
  const insurance = (kind: MaskedEvent['kind'], t: number, id: string, extra: Partial<MaskedEvent> = {}) =>
    ev(kind, 'T1', t, { eventId: id, complaintType: 'insurance', branch: 'SH', ...extra });

  it('stays open when the ticket moves after going stale (the rise stands); acknowledged again when a late step takes the staleness back', () => {
    const e = engineLike();
    const t = e.t0 + HOUR;
    e.events([insurance('first_contact', t, 'fc', { outcome: 'not_agreed' })]);
    const acked = e.act({ type: 'ack', by: '甲', reason: 'investigating' }, 'case.T1');
    e.wait(73 * 60, 'case.T1'); // 72 hours without progress: stale
    e.derive('clock');
    expect(e.get('case.T1')).toMatchObject({ status: 'open', level: 'breach', urgency: 'stale' });
    // the ticket moves now: no longer stale, but it was, after the acknowledgement
    e.events([insurance('escalated', e.t0 + 75 * HOUR, 'esc-now', { escalation: 'mediation' })]);
    expect(e.get('case.T1')).toMatchObject({ status: 'open', level: 'watch', urgency: 'new' });
    // a step taken before it went stale, reported late: it never went stale
    e.events([insurance('escalated', t + 40 * HOUR, 'esc-late', { escalation: 'mediation' })], 'late event');
    expect(e.get('case.T1')).toMatchObject({ status: 'acknowledged', level: 'watch', ack: acked.ack });
  });
});
