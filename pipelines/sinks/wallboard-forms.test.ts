import { describe, expect, it } from 'vitest';
import type { RingEntry } from './wallboard-core.ts';
import { backlogAfterSnapshot, briefForms, formFor, heldScreen, snapshotForm, takes } from './wallboard-forms.ts';

// The hub's socket-free decisions with plain values; wallboard*.test.ts run them over real sockets.

const MAX = 1000;
const STUCK = 120_000;

describe('wallboard forms', () => {
  it('wallboard forms - a held screen drained to a quarter of the bound gets a snapshot, whatever else holds', () => {
    expect(heldScreen(250, undefined, 0, 0, MAX, STUCK)).toBe('snapshot');
    expect(heldScreen(0, 5000, 0, 10 * STUCK, MAX, STUCK)).toBe('snapshot');
    expect(heldScreen(251, undefined, 0, 0, MAX, STUCK)).not.toBe('snapshot');
  });

  it('wallboard forms - a held screen that drained something since last checked is making progress', () => {
    expect(heldScreen(900, undefined, 0, 0, MAX, STUCK)).toBe('progress'); // never checked yet
    expect(heldScreen(899, 900, 0, 10 * STUCK, MAX, STUCK)).toBe('progress'); // late, but draining
  });

  it('wallboard forms - a held screen that drained nothing waits until stuckMs, then is cut', () => {
    expect(heldScreen(900, 900, 1_000, 1_000, MAX, STUCK)).toBe('wait');
    expect(heldScreen(950, 900, 1_000, 1_000 + STUCK - 1, MAX, STUCK)).toBe('wait'); // grew: no progress
    expect(heldScreen(900, 900, 1_000, 1_000 + STUCK, MAX, STUCK)).toBe('cut');
  });

  it('wallboard forms - the backlog counts only what was sent after the last snapshot', () => {
    expect(backlogAfterSnapshot(5_000_000, 0)).toBe(0);
    expect(backlogAfterSnapshot(5_000_000, 300)).toBe(300);
    expect(backlogAfterSnapshot(200, 300)).toBe(200);
  });

  it('wallboard forms - a screen naming no types takes every frame; one naming some, those and untyped ones', () => {
    const only = new Set(['alert']);
    expect(takes({}, { type: 'counter' })).toBe(true);
    expect(takes({ only }, { type: 'alert' })).toBe(true);
    expect(takes({ only }, { type: 'counter' })).toBe(false);
    expect(takes({ only }, {})).toBe(true);
  });

  it('wallboard forms - each screen gets its form of a frame, the full text where a form is missing', () => {
    const all: RingEntry = { seq: 1, text: 'full', masked: 'masked', brief: 'brief', briefMasked: 'brief-masked' };
    expect(formFor({}, all)).toBe('full');
    expect(formFor({ masked: true }, all)).toBe('masked');
    expect(formFor({ briefSnapshot: true }, all)).toBe('brief');
    expect(formFor({ briefSnapshot: true, masked: true }, all)).toBe('brief-masked');
    const plain: RingEntry = { seq: 2, text: 'full' };
    expect(formFor({ masked: true }, plain)).toBe('full');
    expect(formFor({ briefSnapshot: true, masked: true }, plain)).toBe('full');
    expect(formFor({ briefSnapshot: true, masked: true }, { seq: 3, text: 'full', brief: 'brief' })).toBe('brief');
  });

  it('wallboard forms - snapshot forms are keyed by brief or full and masked or open', () => {
    expect(snapshotForm({})).toBe('full/open');
    expect(snapshotForm({ masked: true })).toBe('full/masked');
    expect(snapshotForm({ briefSnapshot: true })).toBe('brief/open');
    expect(snapshotForm({ briefSnapshot: true, masked: true, only: new Set(['alert']) })).toBe('brief/masked');
  });

  it('wallboard forms - only alert frames with a history have brief forms', () => {
    expect(briefForms({ type: 'counter', history: [] })).toEqual({});
    expect(briefForms({ type: 'alert', id: 'a' })).toEqual({});
    const forms = briefForms({ type: 'alert', id: 'case.T-1', history: [] });
    expect(typeof forms.brief).toBe('string');
    expect(JSON.parse(forms.brief!)).toMatchObject({ type: 'alert', id: 'case.T-1' });
  });
});
