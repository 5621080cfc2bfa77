import type { TicketEvent } from '../../pipelines/model.ts';
import { mulberry32 } from '../../scripts/simulator/prng.ts';

// Seeded ticket streams for end-to-end tests: repeat customers, corrections, last year's events,
// branches outside the plan, types outside the plan, and invalid payloads of every kind.

/** The simulator's seeded generator: same seed, same stream. */
export const rng = mulberry32;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export const TYPES = ['mortgage_prepayment', 'insurance_dispute', 'auto_installment', 'credit_card'] as const;
export const BRANCHES = ['BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ', 'SZ'] as const;

function iso(ms: number, offsetHours: number): string {
  if (offsetHours === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, 19);
  return `${local}+${String(offsetHours).padStart(2, '0')}:00`;
}

export function ticketStream(opts: { seed: number; tickets: number; year: number; customers?: number; prefix?: string }): TicketEvent[] {
  const r = rng(opts.seed);
  const prefix = opts.prefix ?? 't';
  const yearStart = Date.UTC(opts.year, 0, 1) - 8 * 3_600_000;
  const span = 365 * 86_400_000;
  const customers = opts.customers ?? Math.max(10, Math.floor(opts.tickets / 3));
  const events: TicketEvent[] = [];
  let n = 0;
  for (let i = 0; i < opts.tickets; i++) {
    const ticketId = `${prefix}-T${i}`;
    const lastYear = r() < 0.04;
    const opened = (lastYear ? yearStart - span : yearStart) + Math.floor(r() * (span - 30 * 86_400_000));
    const base = {
      ticketId,
      branch: pick(r, BRANCHES),
      complaintType: pick(r, TYPES),
      customerId: `C${Math.floor(r() * customers)}`,
      channel: pick(r, ['branch', 'phone', 'app', 'regulator_12378']),
    };
    const off = r() < 0.5 ? 8 : 0;
    const ev = (kind: TicketEvent['kind'], at: number, extra: Partial<TicketEvent> = {}): TicketEvent => ({
      eventId: `${prefix}-E${n++}`,
      kind,
      occurredAt: iso(at, off),
      ...base,
      ...extra,
    });
    events.push(ev('opened', opened, { text: '客户来电 13812345678 反映提前还款手续问题' }));
    const fcAt = opened + Math.floor(r() * 3 * 86_400_000);
    events.push(ev('first_contact', fcAt, { outcome: r() < 0.35 ? 'not_agreed' : 'agreed' }));
    if (r() < 0.15) events.push(ev('escalated', fcAt + 86_400_000, { escalation: pick(r, ['case_meeting', 'mediation', 'management'] as const) }));
    if (r() < 0.6) events.push(ev('resolved', fcAt + 5 * 86_400_000, { outcome: r() < 0.8 ? 'agreed' : 'not_agreed', satisfaction: 1 + Math.floor(r() * 5) }));
    if (r() < 0.08) {
      const what = r();
      events.push(
        ev('corrected', fcAt + 2 * 86_400_000, {
          ...(what < 0.4 ? { complaintType: pick(r, TYPES) } : {}),
          ...(what >= 0.4 && what < 0.7 ? { branch: pick(r, BRANCHES) } : {}),
          ...(what >= 0.7 ? { outcome: r() < 0.5 ? 'agreed' : 'not_agreed' } : {}),
        }),
      );
    }
  }
  return events;
}

export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const r = rng(seed);
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Invalid payloads of every kind, each with the rejection code the monitor must give. */
export function invalidPayloads(prefix: string): Array<{ label: string; payload: string; code: string }> {
  const ok = { eventId: `${prefix}-bad`, ticketId: 'X1', kind: 'first_contact', occurredAt: '2025-03-01T10:00:00+08:00', branch: 'BJ', complaintType: 'mortgage_prepayment', customerId: '13812345678', outcome: 'not_agreed' };
  const j = (o: object) => JSON.stringify(o);
  return [
    { label: 'not json', payload: '{"eventId": "x", oops 13812345678', code: 'invalid_json' },
    { label: 'json array', payload: '[1,2,3]', code: 'schema' },
    { label: 'missing customerId', payload: j({ ...ok, eventId: `${prefix}-b1`, customerId: undefined }), code: 'schema' },
    { label: 'bad kind', payload: j({ ...ok, eventId: `${prefix}-b2`, kind: 'closed' }), code: 'schema' },
    { label: 'first_contact without outcome', payload: j({ ...ok, eventId: `${prefix}-b3`, outcome: undefined }), code: 'schema' },
    { label: 'escalated without escalation', payload: j({ ...ok, eventId: `${prefix}-b4`, kind: 'escalated', outcome: undefined }), code: 'schema' },
    { label: 'no offset', payload: j({ ...ok, eventId: `${prefix}-b5`, occurredAt: '2025-03-01T10:00:00' }), code: 'no_offset' },
    { label: 'bad branch', payload: j({ ...ok, eventId: `${prefix}-b6`, branch: 'BJ/../x' }), code: 'schema' },
    { label: 'too large', payload: j({ ...ok, eventId: `${prefix}-b7`, text: 'x'.repeat(70_000) }), code: 'too_large' },
    { label: 'wrong type', payload: j({ ...ok, eventId: `${prefix}-b8`, satisfaction: 'high' }), code: 'schema' },
  ];
}
