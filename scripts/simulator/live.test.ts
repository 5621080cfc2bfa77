import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import { demoSimulatorArgs } from '../demo-simulator.ts';
import { findCfpbCsv, loadCfpb } from './csv.ts';
import { generateLifecycles } from './generate.ts';
import { paced } from './publish.ts';
import { atOwnTimes, dueWithin } from './replay.ts';

// The demo's live phase (audit: each live round poured a whole year of tickets, stamped now, into
// about 48 minutes, and a second run on the same store sent only the first run's ids again).

const complaints = loadCfpb(findCfpbCsv() as string);
const year = generateLifecycles(complaints, { seed: 1, year: 2026, timezone: 'Asia/Shanghai' });
const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** what a run started at `startMs` and stopped at `stopMs` sent: the year so far, then live events as they fell due */
const sentBy = (startMs: number, stopMs: number) => new Set([
  ...year.filter((e) => at(e.occurredAt) <= startMs),
  ...atOwnTimes(year, startMs).filter((s) => s.delayMs <= stopMs - startMs).map((s) => s.event),
].map((e) => e.eventId));

afterEach(() => {
  vi.useRealTimers();
});

describe('simulator - the demo live phase at a real day\'s pace', () => {
  it('the demo runs the simulator at the events\' own times, not at a rate stamped now', () => {
    const args = demoSimulatorArgs('nats://127.0.0.1:4222', 2026, { invalidPayloads: true });
    expect(args).toContain('--real-time');
    expect(args).not.toContain('--rate');
    expect(args).toContain('--backfill');
    expect(demoSimulatorArgs('nats://127.0.0.1:4222', 2026, { invalidPayloads: false })).not.toContain('--bad'); // a continued run adds none again
  });

  it('schedules the events after now, each due at its own time, occurredAt unchanged', () => {
    const now = at('2026-11-27T15:00:00+08:00');
    const schedule = atOwnTimes(year, now);
    expect(schedule.length).toBe(year.filter((e) => at(e.occurredAt) > now).length);
    for (const s of schedule) expect(s.delayMs).toBe(at(s.event.occurredAt) - now);
    expect(schedule.every((s, i) => i === 0 || s.delayMs >= schedule[i - 1]!.delayMs)).toBe(true);
  });

  it('brings what the year has for that day: a day of the demo adds a day of tickets, not a year', () => {
    const perDay = new Map<string, number>();
    for (const e of year) perDay.set(e.occurredAt.slice(0, 10), (perDay.get(e.occurredAt.slice(0, 10)) ?? 0) + 1);
    const busiestDay = Math.max(...perDay.values());
    for (const iso of ['2026-04-15T09:00:00+08:00', '2026-11-27T09:00:00+08:00']) {
      const now = at(iso);
      const day = dueWithin(atOwnTimes(year, now), DAY);
      expect(day).toBe(year.filter((e) => at(e.occurredAt) > now && at(e.occurredAt) <= now + DAY).length);
      expect(day).toBeLessThanOrEqual(2 * busiestDay); // a 24-h window spans two calendar days
    }
    expect(busiestDay).toBeLessThan(year.length / 50);
  });

  it('a second run on the same store carries on: its live events are all new, and the gap since the first is sent', () => {
    const first = sentBy(at('2026-11-20T09:00:00+08:00'), at('2026-11-20T18:00:00+08:00'));
    const secondStart = at('2026-11-27T09:00:00+08:00');
    const second = sentBy(secondStart, secondStart + 3 * DAY);
    const live = atOwnTimes(year, secondStart).filter((s) => s.delayMs <= 3 * DAY);
    expect(live.length).toBeGreaterThan(0);
    expect(live.filter((s) => first.has(s.event.eventId))).toEqual([]);
    expect([...second].filter((id) => !first.has(id)).length).toBeGreaterThan(live.length); // the week between the runs too
  });

  it('waits out a delay longer than a timer can hold (2^31 ms) instead of sending at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const event = year[0]!;
    const it = paced([{ delayMs: 30 * DAY, event }])[Symbol.asyncIterator]();
    let got: TicketEvent | undefined;
    const next = it.next().then((r) => (got = r.value as TicketEvent | undefined));
    await vi.advanceTimersByTimeAsync(29 * DAY);
    expect(got).toBeUndefined();
    await vi.advanceTimersByTimeAsync(DAY);
    await next;
    expect(got).toBe(event);
  });
});
