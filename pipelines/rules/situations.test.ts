import { describe, expect, it } from 'vitest';
import { deriveLevelAlerts } from './derive.ts';
import { applyAction, reconcile, type AlertRecord } from './lifecycle.ts';
import { linesOfThisEpisode } from './situations.ts';
import type { HistoryEntry } from './types.ts';
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
    expect(early.history.find((h) => h.id.endsWith('/renumbered-away'))).toMatchObject({ what: 'amended', after: `that episode and its people's decisions are ${id(2)} now` });
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

  // verify CD F1: the number the episode left was withdrawn as an episode that never was
  it('the number an episode moves away from is retired saying where the episode went, not withdrawn as false', () => {
    const { w, wk, records, derive } = setting();
    const late = notAgreed(30, wk(2).startMs + DAY);
    w.add(late);
    derive('late event');
    w.add(late.map((e, i) => ev('corrected', e.ticketId, wk(3).startMs + i, { complaintType: 'weekly' })));
    const steps = derive('correction');
    const retired = steps.find((s) => s.record.id === id(2))!;
    expect(retired.entries).toEqual([expect.objectContaining({ what: 'withdrawn', reason: `correction: renumbered: the episode is ${id(1)} now`, detail: { renumberedTo: id(1) } })]);
  });

  it('a re-derivation that changes no numbering keeps the records as they were', () => {
    const { records, derive } = setting();
    const before = JSON.stringify([...records.values()]);
    expect(derive('events', false)).toEqual([]);
    expect(JSON.stringify([...records.values()])).toBe(before);
  });
});

describe('rules - a split or a join keeps each decision with its episode', () => {
  const derive = (w: ReturnType<typeof world>, records: Map<string, AlertRecord>, now: number, reason: string) => {
    const steps = reconcile(records, deriveLevelAlerts(w.plan, w.index, [KEY], now, w.cfg), (r) => r.kind === 'level', now, { retroactive: true, reason }, w.cfg);
    for (const s of steps) records.set(s.record.id, s.record);
    return steps;
  };

  // verify CD F8: the acknowledgement of the ongoing situation stayed on the finished half, and the
  // situation came back open as number 2, paging the ladder from its start
  it('a correction splits an acknowledged episode: the acknowledgement stays with the part it was given in', () => {
    const w = world();
    const wk = (i: number) => w.plan.weeks[i - 1]!;
    const now = wk(50).startMs + 3 * DAY;
    const records = new Map<string, AlertRecord>();
    w.add(notAgreed(100, wk(10).startMs + DAY));
    w.add(notAgreed(60, wk(12).startMs + DAY));
    w.add(notAgreed(100, wk(20).startMs + DAY));
    const middle = notAgreed(200, wk(30).startMs + DAY);
    w.add(middle);
    w.add(notAgreed(150, wk(40).startMs + DAY));
    derive(w, records, now, 'events');
    records.set(id(1), applyAction(records.get(id(1))!, { type: 'ack', by: '王主管' }, now, () => 'ack-1', w.cfg).record);
    w.add(middle.map((e, i) => ev('corrected', e.ticketId, wk(50).startMs + i, { complaintType: 'weekly' })));
    derive(w, records, now, 'correction');
    expect(records.get(id(1))).toMatchObject({ status: 'resolved', resolution: 'recovered' });
    expect(records.get(id(1))!.ack).toBeUndefined();
    expect(records.get(id(2))).toMatchObject({ status: 'acknowledged', ack: { by: '王主管' }, openedAtMs: wk(40).startMs + DAY });
  });

  // verify CD F6: the joined-away episode's decision went without a line, and the shifted number
  // was withdrawn as false
  it('a late event joins two episodes while a later one shifts: each decision is placed or said joined', () => {
    const w = world();
    const wk = (i: number) => w.plan.weeks[i - 1]!;
    const now = wk(50).startMs + 3 * DAY;
    const records = new Map<string, AlertRecord>();
    w.add(notAgreed(100, wk(10).startMs + DAY));
    w.add(notAgreed(100, wk(20).startMs + DAY));
    w.add(notAgreed(150, wk(40).startMs + DAY));
    derive(w, records, now, 'events');
    for (const n of [1, 2, 3]) records.set(id(n), applyAction(records.get(id(n))!, { type: 'reopen', by: `who-${n}` }, now, () => `reopen-${n}`, w.cfg).record);
    w.add(notAgreed(60, wk(12).startMs + DAY));
    const steps = derive(w, records, now, 'late event');
    const byWho = (n: number) => records.get(id(n))!.history.filter((h) => h.what === 'reopened' && h.by).map((h) => h.by);
    expect([byWho(1), byWho(2)]).toEqual([['who-1'], ['who-3']]);
    const two = steps.find((s) => s.record.id === id(2))!.entries.map((e) => e.after);
    expect(two).toContain(`that episode is part of ${id(1)} now, where a later decision stands`);
    expect(steps.find((s) => s.record.id === id(3))!.entries[0]).toMatchObject({ what: 'withdrawn', reason: `late event: renumbered: the episode is ${id(2)} now` });
  });

  it('a restored history leaves out the lines of the episode a number held before', () => {
    const line = (id: string, atMs: number, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({ id, atMs, what: 'note', by: 'x', ...extra });
    const history = [
      line('old-note', 1),
      line('carried-ack', 2, { what: 'acknowledged', detail: { carriedAt: 10 } }),
      line('marker', 10, { what: 'amended', by: undefined, detail: { renumberedTo: 'level.x.2' } }),
      line('new-note', 11),
      { id: 'opened', atMs: 0, what: 'opened' },
    ];
    expect(linesOfThisEpisode(history).map((h) => h.id)).toEqual(['carried-ack', 'marker', 'new-note', 'opened']);
  });
});
