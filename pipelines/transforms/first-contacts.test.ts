import { describe, expect, it } from 'vitest';
import { FirstContacts, NO_CONTACT } from './first-contacts.ts';

function ofTicket(contacts: FirstContacts, ticket: number): number[] {
  const slots: number[] = [];
  for (let f = contacts.firstOfTicket(ticket); f !== NO_CONTACT; f = contacts.nextInTicket(f)) slots.push(f);
  return slots;
}

function ofCustomer(contacts: FirstContacts, customer: number): number[] {
  const slots: number[] = [];
  for (let f = contacts.firstOfCustomer(customer); f !== NO_CONTACT; f = contacts.nextOfCustomer(f)) slots.push(f);
  return slots;
}

describe('transforms - first contacts table', () => {
  it('holds each contact\'s facts in its slot, slots numbered in order of addition', () => {
    const contacts = new FirstContacts();
    contacts.holdTicket(3);
    expect(contacts.add(3, 1_700_000_000_123.5, 7, 2, 4, 1)).toBe(0);
    expect(contacts.add(3, 5, 8, 9, 10, 0)).toBe(1);
    expect(contacts.size).toBe(2);
    expect([contacts.timeAt(0), contacts.customerAt(0), contacts.typeAt(0), contacts.branchAt(0)])
      .toEqual([1_700_000_000_123.5, 7, 2, 4]);
    expect([contacts.outcomeAt(0), contacts.ticketAt(0)]).toEqual([1, 3]);
    expect([contacts.timeAt(1), contacts.customerAt(1), contacts.typeAt(1), contacts.branchAt(1)]).toEqual([5, 8, 9, 10]);
  });

  it('lists a ticket\'s and a customer\'s contacts latest first, each list on its own', () => {
    const contacts = new FirstContacts();
    contacts.holdTicket(0);
    contacts.holdTicket(1);
    const a = contacts.add(0, 10, 5, 0, 0, 0);
    const b = contacts.add(1, 20, 5, 0, 0, 0);
    const c = contacts.add(0, 30, 6, 0, 0, 0);
    const d = contacts.add(0, 40, 5, 0, 0, 0);
    expect(ofTicket(contacts, 0)).toEqual([d, c, a]);
    expect(ofTicket(contacts, 1)).toEqual([b]);
    expect(ofCustomer(contacts, 5)).toEqual([d, b, a]);
    expect(ofCustomer(contacts, 6)).toEqual([c]);
  });

  it('a held ticket without contacts has an empty list', () => {
    const contacts = new FirstContacts();
    contacts.holdTicket(5000);
    expect(ofTicket(contacts, 4999)).toEqual([]);
    expect(ofTicket(contacts, 5000)).toEqual([]);
  });

  it('finds the same facts only inside the same ticket and only when every fact matches', () => {
    const contacts = new FirstContacts();
    contacts.holdTicket(1);
    contacts.add(0, 100, 3, 4, 5, 2);
    expect(contacts.sameFactsInTicket(0, 100, 3, 4, 5, 2)).toBe(true);
    expect(contacts.sameFactsInTicket(1, 100, 3, 4, 5, 2)).toBe(false);
    expect(contacts.sameFactsInTicket(0, 101, 3, 4, 5, 2)).toBe(false);
    expect(contacts.sameFactsInTicket(0, 100, 9, 4, 5, 2)).toBe(false);
    expect(contacts.sameFactsInTicket(0, 100, 3, 9, 5, 2)).toBe(false);
    expect(contacts.sameFactsInTicket(0, 100, 3, 4, 9, 2)).toBe(false);
    expect(contacts.sameFactsInTicket(0, 100, 3, 4, 5, 0)).toBe(false);
  });

  it('grows past its first capacity (slots, ticket and customer heads) and keeps every fact and link', () => {
    const contacts = new FirstContacts();
    const empty = contacts.bytesHeld;
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const ticket = i % 1500, customer = (i * 7) % 3000;
      contacts.holdTicket(ticket);
      expect(contacts.add(ticket, i * 1000, customer, i % 11, i % 13, i % 3)).toBe(i);
    }
    expect(contacts.size).toBe(n);
    expect(contacts.bytesHeld).toBeGreaterThan(empty);
    for (let i = 0; i < n; i++) {
      expect([contacts.timeAt(i), contacts.customerAt(i), contacts.typeAt(i), contacts.branchAt(i)])
        .toEqual([i * 1000, (i * 7) % 3000, i % 11, i % 13]);
      expect([contacts.outcomeAt(i), contacts.ticketAt(i)]).toEqual([i % 3, i % 1500]);
    }
    expect(ofTicket(contacts, 7)).toEqual([4507, 3007, 1507, 7]);
    const customerOf9 = (9 * 7) % 3000;
    expect(ofCustomer(contacts, customerOf9)).toEqual([3009, 9]);
    let listed = 0;
    for (let ticket = 0; ticket < 1500; ticket++) listed += ofTicket(contacts, ticket).length;
    expect(listed).toBe(n);
  });

  it('bytes held: 33 per slot and 4 per head of each list', () => {
    const contacts = new FirstContacts();
    expect(contacts.bytesHeld).toBe(1024 * 33 + 1024 * 4 * 2);
  });
});
