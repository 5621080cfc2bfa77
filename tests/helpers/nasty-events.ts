import type { MaskedEvent } from '../../pipelines/model.ts';
import type { StoredEvent } from '../../pipelines/sinks/clickhouse.ts';

// Stored events whose every text field carries something a file format must escape or encode
// right: tabs, newlines, backslashes, quotes, NUL, Chinese, emoji, empty strings, NULLs, maps.

export const NASTY = [
  'tab\there',
  'new\nline',
  'cr\r\nlf',
  'back\\slash \\N \\t \\\\',
  "quote ' and \" double",
  '客户来电 138****5678 反映：提前还款手续费不合理；\t要求退还',
  'nul\0byte',
  '{\'k\':\'v\'} [1,2] {}',
  '😀 emoji, surrogate pair',
  '\\',
  '',
];

export function nastyEvent(i: number, over: Partial<MaskedEvent> = {}): StoredEvent {
  const text = NASTY[i % NASTY.length]!;
  return {
    event: {
      eventId: `e-${i}-${text}`,
      ticketId: `t-${i}\t${text}`,
      kind: 'first_contact',
      occurredAt: '2025-03-01T10:00:00.123+08:00',
      occurredAtMs: Date.UTC(2025, 2, 1, 2, 0, 0, 123) + i,
      branch: 'BJ-HD',
      complaintType: 'mortgage_prepayment',
      reportedType: i % 2 ? 'unclassified' : 'mortgage_prepayment',
      customerHash: 'a'.repeat(32),
      customerMasked: i % 3 ? { name: `张*${text}`, phone: '138****1234' } : {},
      channel: i % 4 ? 'app' : undefined,
      outcome: i % 5 ? 'not_agreed' : undefined,
      escalation: i % 6 ? undefined : 'mediation',
      text: i % 7 ? text : undefined,
      satisfaction: i % 2 ? 1 + (i % 5) : undefined,
      tags: i % 3 === 2 ? undefined : { [`k${text}`]: text, "it's": 'a\\b\'c', 中文: '标签\n值', '': '' },
      classification: i % 2 ? { type: 'mortgage_prepayment', confidence: 0.75, modelVersion: `kw-1\t${text}`, needsReview: i % 4 === 1 } : undefined,
      ...over,
    },
    streamSeq: 1000 + i,
    receivedAtMs: Date.UTC(2026, 10, 26, 1, 2, 3, 456) + i,
  };
}

