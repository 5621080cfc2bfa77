import { describe, expect, it } from 'vitest';
import type { Classification } from '../model.ts';
import { TicketTypes } from './ticket-types.ts';

const none: Classification = { type: 'unclassified', confidence: 0, modelVersion: 'keywords-v1', needsReview: true };
const typed = (type: string, confidence: number): Classification => ({ type, confidence, modelVersion: 'keywords-v1', needsReview: confidence < 0.6 });

describe('transforms - the types unclassified tickets were given', () => {
  it('gives an event with nothing to classify the type an earlier event of its ticket was given', () => {
    const t = new TicketTypes();
    expect(t.resolve('T1', none)).toEqual(none); // nothing known yet: it waits for a person
    expect(t.resolve('T1', typed('mortgage_prepayment', 0.75))).toEqual(typed('mortgage_prepayment', 0.75));
    expect(t.resolve('T1', none)).toEqual({ ...typed('mortgage_prepayment', 0.75), modelVersion: 'keywords-v1+ticket' });
    expect(t.resolve('T2', none)).toEqual(none); // another ticket
  });

  it("keeps an event's own type, and the most confident of the ticket's for the rest", () => {
    const t = new TicketTypes();
    t.resolve('T1', typed('insurance_dispute', 0.9));
    expect(t.resolve('T1', typed('mortgage_prepayment', 0.4)).type).toBe('mortgage_prepayment'); // its own text decides for itself
    expect(t.resolve('T1', none).type).toBe('insurance_dispute');
    t.note('T1', typed('auto_installment', 0.95));
    expect(t.resolve('T1', none).type).toBe('auto_installment');
  });

  it('remembers a bounded number of tickets, the oldest let go first', () => {
    const t = new TicketTypes();
    for (let i = 0; i < 200_010; i++) t.note(`T${i}`, typed('a', 1));
    expect(t.size).toBe(200_000);
    expect(t.resolve('T5', none)).toEqual(none);
    expect(t.resolve('T200009', none).type).toBe('a');
  });
});
