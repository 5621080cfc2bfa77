import { describe, expect, it } from 'vitest';
import { laterCorrection, readSeen, SentCorrections, staleConfirmation, type TicketNow } from './review-confirm.ts';

// A classification review's confirmation against the ticket as it is now (audit J D3): refused,
// saying what changed, when the ticket was corrected since the list or moved branch or type.

const timeOf = (ms: number) => `t${ms}`;
const waiting: TicketNow = { waitingEvents: 2, branch: 'BJ', complaintType: 'unclassified' };

describe('review confirm - what the reviewer saw against the ticket now', () => {
  it('lets a confirmation of what the list still shows through', () => {
    expect(staleConfirmation('T1', { branch: 'BJ' }, waiting, timeOf)).toBeUndefined();
    expect(staleConfirmation('T1', { branch: 'BJ', complaintType: 'unclassified' }, waiting, timeOf)).toBeUndefined();
  });

  it('refuses a ticket corrected since, naming the correction', () => {
    const now = { ...waiting, correction: { by: '主管A', branch: 'SH', complaintType: 'auto', atMs: 5 } };
    expect(staleConfirmation('T1', { branch: 'BJ' }, now, timeOf)).toBe(
      'ticket T1 was corrected since the review list was loaded: it is now auto at SH (by 主管A, t5); reload the list',
    );
    expect(staleConfirmation('T1', { branch: 'BJ' }, { ...now, correction: { ...now.correction, by: '' } }, timeOf)).toMatch(/by another system/);
  });

  it('refuses a ticket that is not waiting for review', () => {
    expect(staleConfirmation('T1', { branch: 'BJ' }, { waitingEvents: 0, branch: '', complaintType: '' }, timeOf)).toBe('ticket T1 is not waiting for review; reload the list');
  });

  it('refuses a ticket whose branch or type changed since, naming both', () => {
    const now = { waitingEvents: 3, branch: 'SH', complaintType: 'mort' };
    expect(staleConfirmation('T1', { branch: 'BJ', complaintType: 'unclassified' }, now, timeOf)).toBe(
      'ticket T1 changed since the review list was loaded (branch BJ → SH, type unclassified → mort); reload the list',
    );
    // the type is compared only when the request says what the list showed
    expect(staleConfirmation('T1', { branch: 'SH' }, now, timeOf)).toBeUndefined();
  });

  it('takes the latest of the stored and the just-sent correction', () => {
    const a = { by: 'a', branch: 'BJ', complaintType: 'x', atMs: 1 };
    const b = { ...a, by: 'b', atMs: 2 };
    expect(laterCorrection(a, b)).toBe(b);
    expect(laterCorrection(b, a)).toBe(b);
    expect(laterCorrection(undefined, a)).toBe(a);
    expect(laterCorrection(undefined, undefined)).toBeUndefined();
  });

  it('reads `seen` strictly', () => {
    expect(readSeen(undefined)).toBeUndefined();
    expect(readSeen({ branch: 'BJ' })).toEqual({ branch: 'BJ' });
    expect(readSeen({ branch: 'BJ', complaintType: 'mort' })).toEqual({ branch: 'BJ', complaintType: 'mort' });
    for (const bad of [null, 'BJ', [], {}, { branch: '' }, { branch: 'B J' }, { branch: 'BJ', complaintType: 3 }, { branch: 'BJ', eventId: 'e' }]) {
      expect(() => readSeen(bad), JSON.stringify(bad)).toThrow(/seen must be/);
    }
  });
});

describe('review confirm - corrections sent and not stored yet', () => {
  const made = (atMs: number) => ({ by: 'a', branch: 'SH', complaintType: 'auto', atMs });

  it('remembers a ticket\'s correction for a while, then forgets it', () => {
    const sent = new SentCorrections(1_000);
    sent.add('T1', 'e1', made(0), 0);
    sent.add('T2', 'e2', made(0), 500);
    expect(sent.get('T1', 999)).toEqual({ ...made(0), eventId: 'e1' });
    expect(sent.get('T1', 1_000)).toBeUndefined();
    expect(sent.get('T2', 1_000)).toEqual({ ...made(0), eventId: 'e2' });
    expect(sent.get('T2', 1_500)).toBeUndefined();
  });

  it('ages by when it was sent, not by the correction\'s own time, and a newer one replaces the older', () => {
    const sent = new SentCorrections(1_000);
    sent.add('T1', 'e1', made(-1e9), 100); // back-dated correction
    expect(sent.get('T1', 200)).toEqual({ ...made(-1e9), eventId: 'e1' });
    sent.add('T1', 'e2', made(5), 900);
    expect(sent.get('T1', 1_500)).toEqual({ ...made(5), eventId: 'e2' });
    expect(sent.byEventId('e2')).toEqual({ ...made(5), eventId: 'e2', ticketId: 'T1' });
    expect(sent.byEventId('e1')).toBeUndefined();
  });

  it('forgets a correction that was not published, but not a newer one of the ticket', () => {
    const sent = new SentCorrections();
    sent.add('T1', 'e1', made(0), 0);
    sent.forget('T1', 'e1');
    expect(sent.get('T1', 1)).toBeUndefined();
    sent.add('T1', 'e2', made(0), 0);
    sent.add('T1', 'e3', made(1), 1);
    sent.forget('T1', 'e2');
    expect(sent.get('T1', 2)).toEqual({ ...made(1), eventId: 'e3' });
  });
});
