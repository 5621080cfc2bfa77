import { describe, expect, it } from 'vitest';
import { weeksOfYear } from '../pipelines/plan/calendar.ts';
import { changesThePast } from './retroactive.ts';

const weeks = weeksOfYear(2024, 'America/New_York');
const at = (iso: string) => Date.parse(iso);
const contact = (iso: string) => ({ kind: 'first_contact' as const, occurredAtMs: at(iso) });

describe('retroactive batches', () => {
  it('retroactive - an event of the current week is not, one of an earlier week is', () => {
    const now = at('2024-06-19T12:00:00-04:00');
    expect(changesThePast(weeks, [contact('2024-06-19T09:00:00-04:00')], now)).toBe(false);
    expect(changesThePast(weeks, [contact('2024-06-05T09:00:00-04:00')], now)).toBe(true);
  });

  it('retroactive - a correction always is', () => {
    expect(changesThePast(weeks, [{ kind: 'corrected', occurredAtMs: at('2024-06-19T09:00:00-04:00') }], at('2024-06-19T12:00:00-04:00'))).toBe(true);
  });

  // audit S F1: in January the ended year's late first contacts moved the figures, not the curve
  it('retroactive - after the plan year has ended, a late event of that year is', () => {
    const january = at('2025-01-06T10:00:00-05:00');
    expect(changesThePast(weeks, [contact('2024-06-15T10:00:00-04:00')], january)).toBe(true);
    expect(changesThePast(weeks, [contact('2024-12-30T10:00:00-05:00')], january)).toBe(true);
  });

  it('retroactive - before the plan year nothing of it is past', () => {
    expect(changesThePast(weeks, [contact('2023-12-20T10:00:00-05:00')], at('2023-12-28T10:00:00-05:00'))).toBe(false);
  });
});
