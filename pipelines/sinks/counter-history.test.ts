import type { ClickHouseClient } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import type { CounterRow } from '../model.ts';
import { CounterHistory, staleCells } from './counter-history.ts';

const row = (complaintType: string, scope: string, unresolvedCustomers: number, firstContactCustomers: number) =>
  ({ complaintType, scope, unresolvedCustomers, firstContactCustomers, allowanceToDate: 1, annualAllowance: 10, ratio: null, level: 'ok' }) as unknown as CounterRow;

describe('counter history - what a start writes', () => {
  it('the cells whose last written counts are not the counters\' now; a cell never written is 0', () => {
    const written = new Map([
      ['a\u0000ALL', { unresolved: 3, firstContact: 5 }],
      ['a\u0000BJ', { unresolved: 1, firstContact: 2 }],
    ]);
    const rows = [row('a', 'ALL', 3, 5), row('a', 'BJ', 2, 2), row('a', 'SH', 0, 0), row('a', 'GZ', 0, 1)];
    expect(staleCells(written, rows).map((r) => r.scope)).toEqual(['BJ', 'GZ']);
  });
});

// The buffer's own rule, with an insert that fails once (not a test of ClickHouse): a failed
// write dropped its rows, and their cells stayed behind in counters_current for good.
describe('counter history - a failed write', () => {
  it('keeps its rows and writes them with the next ones', async () => {
    const inserted: unknown[][] = [];
    let fail = true;
    const client = {
      insert: async ({ values }: { values: unknown[] }) => {
        if (fail) {
          fail = false;
          throw new Error('ClickHouse away');
        }
        inserted.push(values);
      },
    } as unknown as ClickHouseClient;
    const errors: string[] = [];
    const history = new CounterHistory(client, (err) => errors.push(err.message), 60_000);
    history.add([row('a', 'ALL', 1, 1)], 2025, 1_000, 'monitor');
    await history.flush();
    history.add([row('a', 'ALL', 2, 2)], 2025, 2_000, 'monitor');
    await history.flush();
    expect(errors).toEqual(['ClickHouse away']);
    expect(inserted.flat().map((r) => (r as { unresolved_customers: number }).unresolved_customers)).toEqual([1, 2]);
  });
});
