import { describe, expect, it } from 'vitest';
import { deriveLevelAlerts } from './derive.ts';
import { applyAction, reconcile, type AlertRecord } from './lifecycle.ts';
import { DAY, ev, notAgreed, world } from './testkit.ts';

// Audit CA C0: a back-filled ticket that makes an earlier episode of a (type, scope) shifts every
// later episode's number by one. The acknowledgement stayed on the old number (now another
// episode) and the situation the supervisor acknowledged came back open, unacknowledged, with the
// on-call ladder from its start; a correction that took the early episode back did not give it
// back either. People's decisions follow the episode they were given in.

const KEY = { complaintType: 'steady', scope: 'ALL' };
const id = (n: number) => `level.2025.steady.ALL.${n}`;

function setting() {
  const w = world();
  const wk = (i: number) => w.plan.weeks[i - 1]!;
  const records = new Map<string, AlertRecord>();
  const now = wk(50).startMs + 3 * DAY;
  const derive = (reason: string, retroactive = true) => {
    const derived = deriveLevelAlerts(w.plan, w.index, [KEY], now, w.cfg);
    const steps = reconcile(records, derived, (r) => r.kind === 'level', now, { retroactive, reason }, w.cfg);
    for (const s of steps) records.set(s.record.id, s.record);
    return steps;
  };
  // far ahead in week 49: 10 a week allowed, 600 not agreed
  w.add(notAgreed(600, wk(49).startMs + DAY));
  derive('events', false);
  const acked = applyAction(records.get(id(1))!, { type: 'ack', by: '王主管', reason: 'investigating' }, now, () => 'ack-1', w.cfg).record;
  records.set(acked.id, acked);
  return { w, wk, records, derive, now };
}

describe('rules - a level episode keeps its people\'s side when an earlier one changes the numbering', () => {
  it('a late ticket makes an earlier episode: the acknowledged one is number 2 now, still acknowledged', () => {
    const { w, wk, records, derive } = setting();
    const late = notAgreed(30, wk(2).startMs + DAY); // 30 against 20 to date in week 2: an episode then
    w.add(late);
    const steps = derive('late event');
    const [early, acked] = [records.get(id(1))!, records.get(id(2))!];
    expect(early).toMatchObject({ status: 'resolved', resolution: 'recovered', openedAtMs: wk(2).startMs + DAY });
    expect(early.ack).toBeUndefined();
    expect(early.history.at(-1)).toMatchObject({ what: 'amended', after: `that episode is ${id(2)} now, with its lines from here on` });
    expect(acked).toMatchObject({ status: 'acknowledged', ack: { by: '王主管' }, openedAtMs: wk(49).startMs + DAY });
    expect(acked.history.map((h) => h.what)).toContain('acknowledged');
    expect(acked.history.at(-1)).toMatchObject({ what: 'amended', before: `id=${id(1)} (acknowledged, acknowledged by 王主管)`, after: `id=${id(2)}` });
    // said, not paged anew: the renumbering and the figures the late customers moved (600 → 630)
    expect(steps.find((s) => s.record.id === id(2))!.entries.map((e) => e.what)).toEqual(['amended', 'amended']);
  });

  it('a correction that takes the early episode back gives the number and the acknowledgement back', () => {
    const { w, wk, records, derive } = setting();
    const late = notAgreed(30, wk(2).startMs + DAY);
    w.add(late);
    derive('late event');
    // each late ticket corrected to another type: no early episode any more
    w.add(late.map((e, i) => ev('corrected', e.ticketId, wk(3).startMs + i, { complaintType: 'weekly' })));
    derive('correction');
    expect(records.get(id(1))).toMatchObject({ status: 'acknowledged', ack: { by: '王主管' }, openedAtMs: wk(49).startMs + DAY });
    expect(records.get(id(2))).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
  });

  it('a re-derivation that changes no numbering keeps the records as they were', () => {
    const { records, derive } = setting();
    const before = JSON.stringify([...records.values()]);
    expect(derive('events', false)).toEqual([]);
    expect(JSON.stringify([...records.values()])).toBe(before);
  });
});
