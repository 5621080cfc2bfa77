import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePlan } from '../../pipelines/plan/compile.ts';
import { parsePlan } from '../../pipelines/plan/parse.ts';
import { ticketStream } from './events.ts';
import { referenceCounts } from './reference.ts';
import { squeezeIntoYearSoFar, yearStartMs } from './year-so-far.ts';

// The wall-board e2e publishes a year's stream squeezed into the year so far and expects more than
// ten not-agreed customers: that must hold on every day of the year, the first of January too.

const fixture = readFileSync(join(import.meta.dirname, '../fixtures/plan-2025.yaml'), 'utf8');
const planOf = (year: number) => compilePlan(parsePlan(fixture.replace(/^year: 2025$/m, `year: ${year}`), `plan-${year}.yaml`));

describe('year so far - squeezing a seeded year into the part that has passed', () => {
  const nows = ['2027-01-01T00:05:00+08:00', '2027-01-02T09:30:00+08:00', '2027-01-15T12:00:00+08:00', '2026-11-27T17:00:00+08:00', '2026-12-31T23:59:00+08:00'];
  it.each(nows)('keeps every ticket, before now, with enough not-agreed customers, at %s', (now) => {
    const nowMs = Date.parse(now);
    const year = new Date(nowMs + 8 * 3_600_000).getUTCFullYear();
    const stream = ticketStream({ seed: 11, tickets: 400, year, customers: 150, prefix: 'w1' });
    const kept = squeezeIntoYearSoFar(stream, year, nowMs);
    expect(kept.map((e) => e.eventId)).toEqual(stream.map((e) => e.eventId)); // nothing dropped, order kept
    expect(kept.every((e) => Date.parse(e.occurredAt) < nowMs - 60_000)).toBe(true);
    const inYear = (es: typeof stream) => es.filter((e) => Date.parse(e.occurredAt) >= yearStartMs(year)).length;
    expect(inYear(kept)).toBe(inYear(stream)); // last year's events stay last year's
    expect(kept.map((e) => e.occurredAt.slice(-6) === '+08:00')).toEqual(stream.map((e) => e.occurredAt.slice(-6) === '+08:00'));
    const counts = referenceCounts(planOf(year), kept, nowMs);
    const unresolved = [...counts.entries()].filter(([k]) => k.endsWith('|ALL')).reduce((n, [, c]) => n + c.unresolved, 0);
    expect(unresolved).toBeGreaterThan(10);
  });

  it('the cut at now alone, as the e2e did before, leaves too few in early January', () => {
    const nowMs = Date.parse('2027-01-02T09:30:00+08:00');
    const cut = ticketStream({ seed: 11, tickets: 400, year: 2027, customers: 150, prefix: 'w1' }).filter((e) => Date.parse(e.occurredAt) < nowMs - 60_000);
    const unresolved = [...referenceCounts(planOf(2027), cut, nowMs).entries()].filter(([k]) => k.endsWith('|ALL')).reduce((n, [, c]) => n + c.unresolved, 0);
    expect(unresolved).toBeLessThanOrEqual(10);
  });
});
