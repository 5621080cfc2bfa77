import { describe, expect, it } from 'vitest';
import { changeReason, ticketsToKeep } from './change-routing.ts';

const ev = (ticketId: string, complaintType: string) => ({ ticketId, complaintType });
const inBook = (...tickets: string[]) => (t: string) => tickets.includes(t);

describe('change routing - which events the case book keeps', () => {
  it('keeps the events of tickets in the book, whatever their type', () => {
    const events = [ev('T1', 'billing'), ev('T2', 'billing')];
    expect(ticketsToKeep(inBook('T1'), new Set(['fraud']), events)).toEqual({ kept: [events[0]], arriving: new Set() });
  });

  it('a ticket new to the book arrives with a strict type; its later events in the batch are kept, any type', () => {
    const events = [ev('T3', 'billing'), ev('T3', 'fraud'), ev('T3', 'billing'), ev('T4', 'fraud')];
    const { kept, arriving } = ticketsToKeep(inBook(), new Set(['fraud']), events);
    expect(kept).toEqual(events.slice(1));
    expect([...arriving]).toEqual(['T3', 'T4']);
  });

  it('a ticket already in the book does not arrive again; no strict type keeps nothing new', () => {
    expect(ticketsToKeep(inBook('T1'), new Set(['fraud']), [ev('T1', 'fraud')]).arriving.size).toBe(0);
    expect(ticketsToKeep(inBook(), new Set(), [ev('T1', 'fraud')])).toEqual({ kept: [], arriving: new Set() });
    expect(ticketsToKeep(inBook(), new Set(['fraud']), [])).toEqual({ kept: [], arriving: new Set() });
  });
});

describe('change routing - the reason a batch re-derives', () => {
  const e = (eventId: string, kind: 'opened' | 'corrected') => ({ eventId, kind });

  it('a batch without corrections is late or live', () => {
    expect(changeReason([e('E1', 'opened')], true)).toBe('late event');
    expect(changeReason([e('E1', 'opened')], false)).toBe('events');
    expect(changeReason([], false)).toBe('events');
  });

  it('corrections are named, late or not, the first five and then an ellipsis', () => {
    const two = [e('E1', 'opened'), e('C1', 'corrected'), e('C2', 'corrected')];
    expect(changeReason(two, false)).toBe('correction C1, C2');
    const five = ['C1', 'C2', 'C3', 'C4', 'C5'].map((id) => e(id, 'corrected'));
    expect(changeReason(five, true)).toBe('correction C1, C2, C3, C4, C5');
    expect(changeReason([...five, e('C6', 'corrected')], true)).toBe('correction C1, C2, C3, C4, C5 …');
  });
});
