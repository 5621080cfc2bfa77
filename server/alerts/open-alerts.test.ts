import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../pipelines/rules/index.ts';
import { listed } from './open-alerts.ts';

// Audit W F1: a back-filled year left 2,732 episodes that exist only as `withdrawn` among the
// 4,092 alerts of `status=all` and the CSV: `existing` lists the alerts without them. Audit AC D1:
// the contract's `all` is every alert, a withdrawn one too.

const record = (status: AlertRecord['status'], resolution?: AlertRecord['resolution']) => ({ status, ...(resolution ? { resolution } : {}) }) as AlertRecord;

describe('alert lists - which alerts each status lists', () => {
  const open = record('open'), acked = record('acknowledged'), closed = record('resolved', 'closed'), manual = record('resolved', 'manual'), withdrawn = record('resolved', 'withdrawn');
  const all = [open, acked, closed, manual, withdrawn];
  it('open: open and acknowledged; all: every alert; existing: all but the withdrawn; withdrawn: those alone', () => {
    expect(all.filter((r) => listed(r, 'open'))).toEqual([open, acked]);
    expect(all.filter((r) => listed(r, 'all'))).toEqual(all);
    expect(all.filter((r) => listed(r, 'existing'))).toEqual([open, acked, closed, manual]);
    expect(all.filter((r) => listed(r, 'withdrawn'))).toEqual([withdrawn]);
  });
});
