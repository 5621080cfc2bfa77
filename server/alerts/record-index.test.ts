import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../pipelines/rules/index.ts';
import { AlertIndex, keyOf } from './record-index.ts';

const record = (id: string, complaintType: string, scope: string, ticketId?: string) =>
  ({ id, complaintType, scope, ...(ticketId === undefined ? {} : { ticketId }) }) as AlertRecord;

describe('alert index - which records a re-derivation may withdraw', () => {
  const level = record('level.1', 'billing', 'ALL');
  const branch = record('level.2', 'billing', 'BJ');
  const kase = record('case.T1', 'fraud', 'BJ', 'T1');

  const index = () => {
    const i = new AlertIndex();
    for (const r of [level, branch, kase]) i.remember(r);
    return i;
  };

  it('finds the records of the keys and of the tickets asked for, each once', () => {
    const i = index();
    expect(i.recordsOf(new Set([keyOf('billing', 'ALL')]), new Set())).toEqual([level]);
    expect(i.recordsOf(new Set(), new Set(['T1']))).toEqual([kase]);
    expect(i.recordsOf(new Set([keyOf('fraud', 'BJ')]), new Set(['T1']))).toEqual([kase]);
    expect(i.recordsOf(new Set([keyOf('billing', 'XX')]), new Set(['T9']))).toEqual([]);
  });

  it('a remembered record replaces the earlier snapshot of its id', () => {
    const i = index();
    const acked = { ...level, status: 'acknowledged' } as AlertRecord;
    i.remember(acked);
    expect(i.records.get('level.1')).toBe(acked);
    expect(i.records.size).toBe(3);
    expect(i.recordsOf(new Set([keyOf('billing', 'ALL')]), new Set())).toEqual([acked]);
  });

  it('a record stays under a key it was once remembered with', () => {
    const i = index();
    i.remember({ ...kase, complaintType: 'billing' });
    expect(i.recordsOf(new Set([keyOf('fraud', 'BJ')]), new Set()).map((r) => r.complaintType)).toEqual(['billing']);
  });

  it('knows the open alerts without a look at the resolved ones, as they open, resolve and reopen', () => {
    const i = new AlertIndex();
    const open = (r: AlertRecord, status: AlertRecord['status']) => ({ ...r, status }) as AlertRecord;
    i.remember(open(level, 'open'));
    i.remember(open(branch, 'resolved'));
    i.remember(open(kase, 'acknowledged'));
    expect([...i.openRecords()].map((r) => r.id)).toEqual(['level.1', 'case.T1']);
    i.remember(open(level, 'resolved'));
    i.remember(open(branch, 'open'));
    expect([...i.openRecords()].map((r) => r.id)).toEqual(['case.T1', 'level.2']);
    expect([...i.openRecords()].every((r) => r.status !== 'resolved')).toBe(true);
  });
});
