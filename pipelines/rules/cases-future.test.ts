import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { caseDueAtMs, deriveCase, TicketBook, type CaseContext } from './cases.ts';

// Audit CH6: a `resolved agreed` dated ahead of the monitor's clock (another system's clock 60 s
// fast) closed the case at once, with history lines in the future. A fact dated after now is not
// a fact yet, for a case's close and re-open as for its opening; the case comes due then.

const START = Date.UTC(2025, 0, 1);
const ctx: CaseContext = { year: 2025, yearStartMs: START, yearEndMs: Date.UTC(2026, 0, 1), isStrict: () => true };
const cfg = { noProgressHours: 72, deadlineDays: 15 };
const NOW = START + 40 * 86_400_000;

function ev(kind: MaskedEvent['kind'], id: string, atMs: number, extra: Partial<MaskedEvent> = {}): MaskedEvent {
  return { eventId: id, ticketId: 'T1', kind, occurredAt: '', occurredAtMs: atMs, branch: 'BJ', complaintType: 'ins', reportedType: 'ins', customerHash: 'h', customerMasked: {}, ...extra };
}

function book(events: MaskedEvent[]): TicketBook {
  const b = new TicketBook();
  b.apply(events);
  return b;
}

describe('cases - a close or re-open dated after now', () => {
  it('a resolution dated 60 s ahead leaves the case open until its time, and the case comes due then', () => {
    const t = book([ev('first_contact', 'fc', NOW - 60_000, { outcome: 'not_agreed' }), ev('resolved', 'res', NOW + 60_000, { outcome: 'agreed' })]).get('T1')!;
    const now = deriveCase(t, ctx, NOW, cfg)!;
    expect(now.clearedAtMs).toBeUndefined();
    expect(now.history.every((h) => h.atMs <= NOW)).toBe(true);
    expect(caseDueAtMs(t, ctx, NOW)).toBe(NOW + 60_000);
    expect(deriveCase(t, ctx, NOW + 60_000, cfg)!.clearedAtMs).toBe(NOW + 60_000);
    expect(caseDueAtMs(t, ctx, NOW + 60_000)).toBeUndefined();
  });

  it('a re-open dated ahead of a closed case opens it at its time, not before, and the case comes due then', () => {
    const t = book([
      ev('first_contact', 'fc', NOW - 3_600_000, { outcome: 'not_agreed' }),
      ev('resolved', 'res', NOW - 60_000, { outcome: 'agreed' }),
      ev('reopened', 'again', NOW + 30_000),
    ]).get('T1')!;
    expect(deriveCase(t, ctx, NOW, cfg)!.clearedAtMs).toBe(NOW - 60_000);
    expect(caseDueAtMs(t, ctx, NOW)).toBe(NOW + 30_000);
    expect(deriveCase(t, ctx, NOW + 30_000, cfg)!.clearedAtMs).toBeUndefined();
  });
});
