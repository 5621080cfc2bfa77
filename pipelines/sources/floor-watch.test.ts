// The floor watchdog's decision, on plain values: when the broker is asked, and with which floor.
import { describe, expect, it } from 'vitest';
import { floorCheckDue, type FloorCheckDecision } from './floor-watch.ts';

type Case = [
  name: string,
  lastFloor: number,
  ackedThrough: number,
  unacked: number,
  stuck: number | undefined,
  expected: FloorCheckDecision,
];

const cases: Case[] = [
  ['first look: nothing to compare with yet', -1, 40, 5, undefined, { check: false, nextLast: 40 }],
  ['floor moved while messages wait', 40, 55, 5, undefined, { check: false, nextLast: 55 }],
  ['floor still and nothing waits: idle, not stalled', 40, 40, 0, undefined, { check: false, nextLast: 40 }],
  ['floor still while messages wait: stalled', 40, 40, 5, undefined, { check: true, stalledFloor: 40, nextLast: -1 }],
  ['stuck message, floor moving', 40, 55, 5, 12, { check: true, nextLast: 55 }],
  ['stuck message, nothing waits', 40, 40, 0, 12, { check: true, nextLast: 40 }],
  ['stuck message and a stall', 40, 40, 5, 12, { check: true, stalledFloor: 40, nextLast: -1 }],
  ['floor at zero, still, messages wait', 0, 0, 3, undefined, { check: true, stalledFloor: 0, nextLast: -1 }],
];

describe('floor watch - floorCheckDue', () => {
  it.each(cases)('%s', (_name, lastFloor, ackedThrough, unacked, stuck, expected) => {
    expect(floorCheckDue(lastFloor, ackedThrough, unacked, stuck)).toStrictEqual(expected);
  });

  it('asks about a floor that stays still every second check, not every check', () => {
    let last = -1;
    const asked: (number | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      const due = floorCheckDue(last, 70, 8, undefined);
      last = due.nextLast;
      asked.push(due.check ? due.stalledFloor : undefined);
    }
    expect(asked).toEqual([undefined, 70, undefined, 70, undefined, 70]);
  });
});
