import { describe, expect, it } from 'vitest';
import { parseRows } from './clickhouse-replay.ts';

describe('sources - stored events read back', () => {
  it('parses TabSeparated rows, unescaping ids that hold tabs, newlines or backslashes', () => {
    const text = 'e1\tT-1\tfirst_contact\t1735660800000\tBJ\tmortgage_prepayment\tabc\tnot_agreed\n' + 'e\\t2\\\\x\tT\\n2\tcorrected\t1735660900000\tSH\tauto_installment\tdef\t\n';
    const [a, b] = parseRows(text);
    expect(a).toMatchObject({ eventId: 'e1', ticketId: 'T-1', kind: 'first_contact', occurredAtMs: 1735660800000, branch: 'BJ', complaintType: 'mortgage_prepayment', customerHash: 'abc', outcome: 'not_agreed' });
    expect(b).toMatchObject({ eventId: 'e\t2\\x', ticketId: 'T\n2', kind: 'corrected', outcome: undefined });
    expect(parseRows('')).toEqual([]);
  });
});
