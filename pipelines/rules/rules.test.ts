import { describe, expect, it } from 'vitest';
import { parsePlan, PlanError } from '../plan/index.ts';
import { allKeys, deriveCaseAlerts, deriveLevelAlerts, signalsOf } from './derive.ts';
import { applyAction, escalationDue, reconcile, type AlertRecord } from './lifecycle.ts';
import { DAY, ev, notAgreed, world } from './testkit.ts';
import type { DerivedAlert } from './types.ts';
import { resolveAlertConfig } from './config.ts';

const KEY = { complaintType: 'steady', scope: 'ALL' };
const cause = { retroactive: false, reason: 'events' };

describe('rules - strict-mode cases', () => {
  it('walks a case through the whole ladder: new, stale, escalated, stale, overdue, closed', () => {
    const w = world();
    const t0 = w.plan.weeks[10]!.startMs;
    w.add([
      ev('opened', 'P1', t0, { complaintType: 'insurance' }),
      ev('first_contact', 'P1', t0 + 3_600_000, { complaintType: 'insurance', outcome: 'not_agreed' }),
    ]);
    const caseAt = (t: number): DerivedAlert | undefined => deriveCaseAlerts(w.plan, w.book, ['P1'], t, w.cfg).alerts[0];
    expect(caseAt(t0 + DAY)).toMatchObject({ id: 'case.P1', kind: 'case', level: 'watch', urgency: 'new', scope: 'BJ', ticketId: 'P1' });
    expect(caseAt(t0 + 3 * DAY + 3_600_000)).toMatchObject({ level: 'breach', urgency: 'stale' });
    w.add([ev('escalated', 'P1', t0 + 4 * DAY, { complaintType: 'insurance', escalation: 'mediation' })]);
    expect(caseAt(t0 + 5 * DAY)).toMatchObject({ urgency: 'new' });
    expect(caseAt(t0 + 7 * DAY + 1)).toMatchObject({ urgency: 'stale' });
    const overdue = caseAt(t0 + 15 * DAY)!;
    expect(overdue).toMatchObject({ level: 'critical', urgency: 'overdue' });
    expect(overdue.history.map((h) => h.what)).toEqual(['opened', 'stale', 'case-escalated', 'stale', 'overdue']);

    // People: ack, then the case closes with the ticket's agreed resolution.
    const cfg = { ...w.cfg, onCall: { levels: [{ notify: ['duty'], afterMinutes: 10 }, { notify: ['role:admin'], afterMinutes: 10 }], repeat: 0 } };
    let [step] = reconcile(new Map(), [overdue], () => true, t0 + 15 * DAY, cause, cfg);
    let rec = step!.record;
    expect(rec.status).toBe('open');
    const up = escalationDue(rec, rec.raisedAtMs + 10 * 60_000, cfg.onCall)!;
    expect(up.record.onCall).toMatchObject({ level: 1, notify: ['role:admin'] });
    expect(escalationDue(up.record, up.record.onCall.sinceMs + 60 * 60_000, cfg.onCall)).toBeUndefined(); // top, no repeat
    rec = applyAction(up.record, { type: 'ack', by: '王主管', reason: 'case_meeting' }, t0 + 15 * DAY + 1, () => 'a1', cfg).record;
    expect(rec).toMatchObject({ status: 'acknowledged', ack: { by: '王主管', reason: 'case_meeting' } });
    expect(() => applyAction(rec, { type: 'ack', by: 'x' }, t0, () => 'a2', cfg)).toThrow(/only an open alert/);
    w.add([ev('resolved', 'P1', t0 + 16 * DAY, { complaintType: 'insurance', outcome: 'agreed' })]);
    [step] = reconcile(new Map([[rec.id, rec]]), [caseAt(t0 + 17 * DAY)!], () => true, t0 + 17 * DAY, cause, cfg);
    expect(step!.record).toMatchObject({ status: 'resolved', resolution: 'closed', clearedAtMs: t0 + 16 * DAY });
  });

  // Contract audit: a `resolved`/agreed dated before the first contact (another system's clock)
  // never closed the case, and escalation kept climbing on a resolved ticket.
  it('a resolution dated before the first contact closes the case as it opens, unless reopened since', () => {
    const w = world();
    const t0 = w.plan.weeks[20]!.startMs;
    w.add([
      ev('resolved', 'R1', t0 - 13 * 3_600_000, { complaintType: 'insurance', outcome: 'agreed' }),
      ev('first_contact', 'R1', t0, { complaintType: 'insurance', outcome: 'not_agreed' }),
      ev('resolved', 'R2', t0 - 2 * DAY, { complaintType: 'insurance', outcome: 'agreed' }),
      ev('reopened', 'R2', t0 - DAY, { complaintType: 'insurance' }),
      ev('first_contact', 'R2', t0, { complaintType: 'insurance', outcome: 'not_agreed' }),
    ]);
    const caseOf = (id: string) => deriveCaseAlerts(w.plan, w.book, [id], t0 + 20 * DAY, w.cfg).alerts[0]!;
    const [r1, r2] = [caseOf('R1'), caseOf('R2')];
    expect(r1).toMatchObject({ id: 'case.R1', clearedAtMs: t0 });
    expect(r1.history.map((h) => h.what)).toEqual(['opened', 'closed', 'resolved']);
    expect(r2.clearedAtMs).toBeUndefined();
    expect(r2).toMatchObject({ urgency: 'overdue' });
  });

  it('a correction that re-types the ticket withdraws its case, with the reason', () => {
    const w = world();
    const t0 = w.plan.weeks[3]!.startMs;
    w.add([ev('first_contact', 'Q1', t0, { complaintType: 'insurance', outcome: 'not_agreed' })]);
    const records = new Map<string, AlertRecord>();
    const apply = (t: number, c: typeof cause) => {
      const { alerts, covered } = deriveCaseAlerts(w.plan, w.book, ['Q1'], t, w.cfg);
      for (const s of reconcile(records, alerts, (r) => r.ticketId !== undefined && covered.has(r.ticketId), t, c, w.cfg)) records.set(s.record.id, s.record);
    };
    apply(t0 + 1, cause);
    expect(records.get('case.Q1')!.status).toBe('open');
    w.add([ev('corrected', 'Q1', t0 + DAY, { complaintType: 'steady', branch: 'SH' })]);
    apply(t0 + DAY + 1, { retroactive: true, reason: 'correction e-fix' });
    const rec = records.get('case.Q1')!;
    expect(rec).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
    expect(rec.history.at(-1)).toMatchObject({ what: 'withdrawn', reason: 'correction e-fix' });
  });

  it('a correction of first-contact outcomes withdraws a level alert that should never have opened', () => {
    const w = world();
    const t0 = w.plan.weeks[2]!.startMs + DAY;
    const events = notAgreed(31, t0); // 31 > 30 allowed to date: breach
    w.add(events);
    const records = new Map<string, AlertRecord>();
    const apply = (t: number, c: typeof cause) => {
      for (const s of reconcile(records, deriveLevelAlerts(w.plan, w.index, [KEY], t, w.cfg), (r) => r.complaintType === 'steady' && r.scope === 'ALL', t, c, w.cfg)) records.set(s.record.id, s.record);
    };
    apply(t0 + 1, cause);
    expect(records.get('level.2025.steady.ALL.1')!.level).toBe('breach');
    w.add(events.slice(0, 25).map((e) => ev('corrected', e.ticketId, t0 + 2 * DAY, { outcome: 'agreed' })));
    apply(t0 + 2 * DAY + 1, { retroactive: true, reason: 'first-contact outcome corrected' });
    expect(records.get('level.2025.steady.ALL.1')).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
    expect(records.get('level.2025.steady.ALL.1')!.currentLevel).toBeUndefined(); // not the level it no longer has
  });
});

describe('rules - burn rate and forecast', () => {
  it('fires the fast window on a one-day spike only with the minimum count, the slow one on a sustained pace', () => {
    const w = world();
    const day = w.plan.weeks[20]!.startMs + 2 * DAY;
    w.add(notAgreed(2, day, 'weekly'));
    let s = signalsOf(w.plan, w.index, { complaintType: 'weekly', scope: 'ALL' }, day + 3_600_000, w.cfg);
    expect(s.burn.fast).toMatchObject({ added: 2, firing: false }); // rate 14 but only 2 customers
    w.add(notAgreed(1, day + 1000, 'weekly'));
    s = signalsOf(w.plan, w.index, { complaintType: 'weekly', scope: 'ALL' }, day + 3_600_000, w.cfg);
    expect(s.burn.fast.firing).toBe(true);
    expect(s.burn.fast.rate).toBeCloseTo(3 / (1 / 7), 1); // the curve is smooth: 1/7 per day
    expect(s.burn.slow).toMatchObject({ added: 3, firing: false });
    w.add(notAgreed(2, day - 3 * DAY, 'weekly'));
    s = signalsOf(w.plan, w.index, { complaintType: 'weekly', scope: 'ALL' }, day + 3_600_000, w.cfg);
    expect(s.burn.slow).toMatchObject({ added: 5, firing: true });
  });

  it('projects the week the cumulative count crosses the cumulative allowance', () => {
    const w = world();
    const wk = (i: number) => w.plan.weeks[i - 1]!;
    // 2 a week since week 1 against 1 a week: the count is ahead but the allowance was 0 in... week 1
    for (let i = 1; i <= 4; i++) w.add(notAgreed(1, wk(i).startMs + DAY, 'weekly'));
    const s = signalsOf(w.plan, w.index, { complaintType: 'weekly', scope: 'ALL' }, wk(4).startMs + 2 * DAY, w.cfg);
    expect(s.forecast.week).not.toBeNull();
    const quiet = world();
    const q = signalsOf(quiet.plan, quiet.index, { complaintType: 'weekly', scope: 'ALL' }, wk(4).startMs, quiet.cfg);
    expect(q.forecast).toMatchObject({ week: null, pacePerDay: 0 });
    expect(allKeys(w.plan)).toHaveLength(9);
  });
});

describe('rules - plan alerts section', () => {
  const base = 'year: 2025\ntypes:\n  - { code: a, name: A, mode: relative, annualAllowance: 10 }\n';
  // Contract audit: a plan in the contract's format (no alerts section) never escalated anything.
  it('without an onCall ladder, an unacknowledged alert still climbs: supervisors, then admins', () => {
    const cfg = resolveAlertConfig(undefined);
    const w = world();
    const t0 = w.plan.weeks[2]!.startMs + DAY;
    w.add(notAgreed(31, t0));
    const [step] = reconcile(new Map(), deriveLevelAlerts(w.plan, w.index, [KEY], t0 + 1, cfg), () => true, t0 + 1, cause, cfg);
    const rec = step!.record;
    expect(rec.onCall).toMatchObject({ level: 0, notify: ['role:supervisor'] });
    expect(escalationDue(rec, rec.onCall.sinceMs + 14 * 60_000, cfg.onCall)).toBeUndefined();
    const up = escalationDue(rec, rec.onCall.sinceMs + 15 * 60_000, cfg.onCall)!;
    expect(up.record.onCall).toMatchObject({ level: 1, notify: ['role:admin'] });
    expect(escalationDue(up.record, up.record.onCall.sinceMs + 24 * 60 * 60_000, cfg.onCall)).toBeUndefined(); // the top
  });

  it('accepts a full section', () => {
    const p = parsePlan(`${base}alerts:\n  recovery: { margin: 0.05, weeks: 1 }\n  onCall:\n    levels:\n      - { notify: [张三, "role:supervisor"], afterMinutes: 0.05 }\n    repeat: 2\n  burnRate: { fast: { hours: 24, threshold: 10, minCount: 3 }, alert: true }\n  ackReasons: [investigating]\n`, 'p.yaml');
    expect(p.alerts).toEqual({ recovery: { margin: 0.05, weeks: 1 }, onCall: { repeat: 2, levels: [{ notify: ['张三', 'role:supervisor'], afterMinutes: 0.05 }] }, burnRate: { fast: { hours: 24, threshold: 10, minCount: 3 }, alert: true }, ackReasons: ['investigating'] });
  });
  it('refuses unknown fields and bad values with path and line', () => {
    expect(() => parsePlan(`${base}alerts:\n  recovery: { margins: 1 }\n`, 'p.yaml')).toThrow(PlanError);
    expect(() => parsePlan(`${base}alerts:\n  recovery: { margins: 1 }\n`, 'p.yaml')).toThrow(/p\.yaml:5: alerts\.recovery\.margins/);
    expect(() => parsePlan(`${base}alerts:\n  onCall: { levels: [{ notify: [a], afterMinutes: -1 }] }\n`, 'p.yaml')).toThrow(/afterMinutes/);
  });
});
