// The vocabulary shared by every stage, sink and surface. Stages depend on this file, never on
// each other's internals. Times inside the pipeline are epoch milliseconds; RFC 3339 strings live
// only at the edges (input events, HTTP, WebSocket).

export const EVENT_KINDS = ['opened', 'first_contact', 'escalated', 'resolved', 'reopened', 'corrected'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export type Outcome = 'agreed' | 'not_agreed';
export type Escalation = 'case_meeting' | 'mediation' | 'management';

/** A ticket event exactly as the contract's JSON schema describes it (contains personal data). */
export interface TicketEvent {
  eventId: string;
  ticketId: string;
  kind: EventKind;
  occurredAt: string;
  branch: string;
  complaintType: string;
  customerId: string;
  channel?: string;
  outcome?: Outcome;
  escalation?: Escalation;
  text?: string;
  satisfaction?: number;
  tags?: Record<string, string>;
  customer?: { name?: string; phone?: string; idNumber?: string; cardNumber?: string };
}

/** What the monitor keeps of an event: no personal data in clear. */
export interface MaskedEvent {
  eventId: string;
  ticketId: string;
  kind: EventKind;
  /** the original RFC 3339 string, offset included */
  occurredAt: string;
  occurredAtMs: number;
  branch: string;
  /** the type the event counts under (after classification of `unclassified`) */
  complaintType: string;
  /** the type the intake system sent (differs from complaintType only for `unclassified`) */
  reportedType: string;
  /** keyed hash (HMAC-SHA256, hex, 32 chars) of customerId: the counting key */
  customerHash: string;
  /** masked display forms, e.g. { name: '张*', phone: '138****1234' } */
  customerMasked: { name?: string; phone?: string; idNumber?: string; cardNumber?: string };
  channel?: string;
  outcome?: Outcome;
  escalation?: Escalation;
  /** free text with phone, ID-card and bank-card numbers masked */
  text?: string;
  satisfaction?: number;
  tags?: Record<string, string>;
  classification?: Classification;
}

export interface Classification {
  type: string;
  confidence: number;
  modelVersion: string;
  needsReview: boolean;
}

/** A message that could not be counted, with why. `payload` is masked. */
export interface Rejection {
  reason: string;
  /** machine-readable reason code: invalid_json | too_large | schema | no_offset | ... */
  code: string;
  payload: string;
}

export type Level = 'ok' | 'watch' | 'breach' | 'critical';

/** One row of GET /api/counters (contract section 5). */
export interface CounterRow {
  complaintType: string;
  scope: string;
  unresolvedCustomers: number;
  firstContactCustomers: number;
  oneTimeResolutionRate: number | null;
  allowanceToDate: number;
  annualAllowance: number;
  ratio: number | null;
  level: Level;
}

export const ALL_SCOPE = 'ALL';
