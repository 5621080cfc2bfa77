import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../pipelines/rules/index.ts';
import { alertView, listedAlertView, shownChange, stampCredential } from './view.ts';

// Contract §4 "every alert change is pushed live": a change that adds no history line (the
// current level, urgency, burn rate or forecast moving) is still a change the screens must get.

const record = (over: Partial<AlertRecord> = {}): AlertRecord => ({
  id: 'level.2025.x.ALL.1', kind: 'level', complaintType: 'x', scope: 'ALL', level: 'breach', status: 'open',
  openedAtMs: 0, raisedAtMs: 0, history: [], onCall: { level: 0, round: 0, sinceMs: 0, notify: [] }, ...over,
} as AlertRecord);

describe('alerts view - what a change without a history line shows', () => {
  it('a moved current level, urgency or burn rate is a change to push', () => {
    const before = record({ currentLevel: 'breach', facts: { burn: { fast: { rate: 1 } } } });
    expect(shownChange(before, { ...before, currentLevel: 'watch' }, 'Asia/Shanghai')?.currentLevel).toBe('watch');
    expect(shownChange(before, { ...before, facts: { burn: { fast: { rate: 2 } } } }, 'Asia/Shanghai')?.burn).toEqual({ fast: { rate: 2 } });
    expect(shownChange(record({ kind: 'case', urgency: 'new' }), record({ kind: 'case', urgency: 'stale' }), 'UTC')?.urgency).toBe('stale');
  });

  it('the same view is nothing to push', () => {
    const before = record({ currentLevel: 'breach' });
    expect(shownChange(before, before, 'UTC')).toBeUndefined();
    expect(shownChange(before, { ...before }, 'UTC')).toBeUndefined();
  });
});

// Audit T 4: "who acknowledged" was only the name typed in `by`; the token that acted was kept
// nowhere. It is kept on the person's line (in its detail, so alert_log's detail column has it).
describe('alerts view - the token that acted, beside the name typed', () => {
  const credential = { role: 'supervisor' as const, fingerprint: '1a2b3c4d' };

  it('shows the credential on the action\'s history line and on the acknowledgement', () => {
    const line = { id: 'x/ack/1', atMs: 5_000, what: 'acknowledged', by: 'admin张', detail: { note: '已联系' } };
    stampCredential([line], credential);
    expect(line.detail).toEqual({ note: '已联系', credential });
    const r = record({ status: 'acknowledged', ack: { by: 'admin张', atMs: 5_000, reason: 'investigating' }, history: [line] });
    const view = alertView(r, 'UTC');
    expect(view.ack).toEqual({ by: 'admin张', at: '1970-01-01T00:00:05.000+00:00', reason: 'investigating', credential });
    expect(view.history[0]).toMatchObject({ what: 'acknowledged', by: 'admin张', credential, detail: { note: '已联系' } });
    expect(view.history[0]?.detail).not.toHaveProperty('credential');
  });

  it('an acknowledgement from before credentials were kept shows none, and a rule line no detail', () => {
    const r = record({ status: 'acknowledged', ack: { by: '王', atMs: 1, reason: 'x' }, history: [{ id: 'a', atMs: 1, what: 'acknowledged', by: '王' }, { id: 'b', atMs: 2, what: 'stale', detail: {} }] });
    const view = alertView(r, 'UTC');
    expect(view.ack?.credential).toBeNull();
    expect(view.history[1]).not.toHaveProperty('detail');
  });
});

describe('alerts view - a listed alert with less history', () => {
  const history = [
    { id: 'c', atMs: 30, what: 'stale' },
    { id: 'a', atMs: 10, what: 'opened' },
    { id: 'b', atMs: 30, what: 'note' },
  ];

  it('last: the line the whole history ends with, and how many there are; none: only the count', () => {
    const r = record({ history });
    const whole = alertView(r, 'UTC');
    const last = listedAlertView(r, 'UTC', 'last');
    expect(last.history).toEqual([whole.history.at(-1)]);
    expect(last.history?.[0]?.what).toBe('note');
    expect(last).toMatchObject({ historyCount: 3 });
    const none = listedAlertView(r, 'UTC', 'none');
    expect(none).not.toHaveProperty('history');
    expect(none).toMatchObject({ id: r.id, historyCount: 3 });
    expect(listedAlertView(r, 'UTC', 'all')).toEqual(whole);
  });
});
