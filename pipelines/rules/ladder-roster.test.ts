import { describe, expect, it } from 'vitest';
import { resolveAlertConfig } from './config.ts';
import { deriveCaseAlerts } from './derive.ts';
import { applyAction, escalationDue, reconcile, type AlertRecord } from './lifecycle.ts';
import { onCallOnLadder, rosterSteps, withPlanRoster } from './ladder-roster.ts';
import { at, notAgreed, world } from './testkit.ts';

// Audit AF F2: after the plan's ladder changed, alerts already on it kept naming (and routing
// to) the former people, for good once their ladder had run out.

const MIN = 60_000;
const before = { levels: [{ notify: ['值班主管', 'role:supervisor'], afterMinutes: 1 }, { notify: ['消保部负责人', 'role:admin'], afterMinutes: 1 }], repeat: 0 };
const after = { levels: [{ notify: ['值班经理'], afterMinutes: 5 }, { notify: ['分管行领导', 'role:admin'], afterMinutes: 5 }], repeat: 0 };
const t0 = at('2025-03-10T10:00:00+08:00');

/** A case alert raised at t0 under the ladder `before`, its ladder walked to the end (level 2). */
function walkedCase(): AlertRecord {
  const w = world({ onCall: before });
  const events = notAgreed(1, t0 - MIN, 'insurance');
  w.add(events);
  const { alerts, covered } = deriveCaseAlerts(w.plan, w.book, [events[0]!.ticketId], t0, w.cfg);
  let r = reconcile(new Map(), alerts, (x) => covered.has(x.ticketId ?? ''), t0, { retroactive: false, reason: 'events' }, w.cfg)[0]!.record;
  for (let now = t0; now < t0 + 10 * MIN; now += MIN) r = escalationDue(r, now, w.cfg.onCall)?.record ?? r;
  return r;
}

describe('ladder roster - the people on call are the plan in force', () => {
  it('names the new plan\'s people at the same level; the history keeps who was notified then', () => {
    const r = walkedCase();
    expect(r.onCall).toMatchObject({ level: 1, notify: ['消保部负责人', 'role:admin'] });
    expect(escalationDue(r, t0 + 60 * MIN, resolveAlertConfig({ onCall: before }).onCall)).toBeUndefined(); // the ladder has run out
    const now = withPlanRoster(r, after);
    expect(now.onCall).toEqual({ ...r.onCall, notify: ['分管行领导', 'role:admin'] });
    expect(now.history).toBe(r.history);
    expect(now.history.filter((h) => h.what === 'escalated').map((h) => h.detail?.notify)).toEqual([['消保部负责人', 'role:admin']]);
  });

  it('puts an alert beyond a shorter ladder on its last level, from where the ladder goes on', () => {
    const r = walkedCase();
    const one = { levels: [{ notify: ['总值班'], afterMinutes: 2 }], repeat: 1 };
    const now = withPlanRoster(r, one);
    expect(now.onCall).toEqual({ level: 0, round: 0, sinceMs: r.onCall.sinceMs, notify: ['总值班'] });
    const next = escalationDue(now, r.onCall.sinceMs + 2 * MIN, one);
    expect(next?.record.onCall).toMatchObject({ level: 0, round: 1, notify: ['总值班'] });
  });

  it('keeps the ladder\'s position (round, since): only who is named changes', () => {
    const onCall = { level: 1, round: 2, sinceMs: t0, notify: ['消保部负责人'] };
    expect(onCallOnLadder(onCall, after)).toEqual({ level: 1, round: 2, sinceMs: t0, notify: ['分管行领导', 'role:admin'] });
    expect(onCallOnLadder(onCall, { levels: [], repeat: 0 })).toEqual({ ...onCall, notify: [] });
  });

  it('refreshes acknowledged alerts too, leaves resolved ones, and changes nothing when the plan names the same people', () => {
    const cfg = resolveAlertConfig({ onCall: before });
    const open = walkedCase();
    const acked = applyAction({ ...open, id: 'case.acked' }, { type: 'ack', by: '王主管' }, t0 + 20 * MIN, () => 'a1', cfg).record;
    const resolved = applyAction({ ...open, id: 'case.done' }, { type: 'resolve', by: '王主管' }, t0 + 20 * MIN, () => 'r1', cfg).record;
    const steps = rosterSteps([open, acked, resolved], after);
    expect(steps.map((s) => [s.record.id, s.record.onCall.notify, s.entries])).toEqual([
      [open.id, ['分管行领导', 'role:admin'], []],
      ['case.acked', ['分管行领导', 'role:admin'], []],
    ]);
    expect(rosterSteps([open, acked, resolved], before)).toEqual([]);
    expect(withPlanRoster(open, before)).toBe(open);
  });
});
