import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson, ROOT, type MonitorProcess } from '../helpers/monitor-process.ts';

// The alerts e2e's tokens, plan (the 2025 plan with an on-call ladder of seconds) and events.

export const VIEWER = 'viewer-token-0123456789';
export const SUP = 'supervisor-token-0123456789';
export const SUP_SH = 'supervisor-sh-token-0123456789';
export const ADMIN = 'admin-token-0123456789';
export const TOKENS = `${VIEWER}:viewer,${SUP}:supervisor,${SUP_SH}:supervisor:SH,${ADMIN}:admin`;

/** the plan's directory, removed by the test file at its end */
export const FIXTURE_DIR = mkdtempSync(join(tmpdir(), 'cewm-alerts-'));
export const PLAN = join(FIXTURE_DIR, 'plan.yaml');
writeFileSync(
  PLAN,
  `${readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8')}
alerts:
  onCall:
    levels:
      - { notify: [值班主管], afterMinutes: 0.04 }
      - { notify: ["role:admin"], afterMinutes: 0.04 }
    repeat: 0
`,
);

export const base = { channel: 'branch', customerId: 'C1' };
export const events: TicketEvent[] = [
  { ...base, eventId: 'a-1', ticketId: 'INS-1', kind: 'opened', occurredAt: '2025-03-03T09:00:00+08:00', branch: 'BJ-HD', complaintType: 'insurance_dispute' },
  { ...base, eventId: 'a-2', ticketId: 'INS-1', kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-03-03T10:00:00+08:00', branch: 'BJ-HD', complaintType: 'insurance_dispute' },
  { ...base, customerId: 'C2', eventId: 'a-3', ticketId: 'INS-2', kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-03-04T10:00:00+08:00', branch: 'SH', complaintType: 'insurance_dispute' },
  { ...base, customerId: 'C2', eventId: 'a-4', ticketId: 'INS-2', kind: 'escalated', escalation: 'mediation', occurredAt: '2025-03-05T10:00:00+08:00', branch: 'SH', complaintType: 'insurance_dispute' },
];

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });
export const post = (m: MonitorProcess, path: string, token: string | undefined, body: object) =>
  getJson(m, path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? auth(token) : {}) }, body: JSON.stringify(body) });
