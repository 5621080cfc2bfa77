import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson, ROOT, startMonitor } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';

// A monitor given another customer-hash key than the one its stored events were hashed with
// (a lost DATA_DIR in server mode, a changed CUSTOMER_HASH_KEY) would count every returning
// customer twice. It refuses to start, says why, and starts again once given the right key.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const dataDir = mkdtempSync(join(tmpdir(), 'cewm-hashkey-e2e-'));
let nats: TestNats;
let nc: NatsConnection;

const notAgreed = (id: string, ticketId: string): TicketEvent => ({
  eventId: id, ticketId, kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-05-06T10:00:00+08:00',
  branch: 'SH', complaintType: 'mortgage_prepayment', customerId: 'returning-customer',
});
const counters = '/api/counters?year=2025&type=mortgage_prepayment&scope=SH';

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

describe('customer-hash key - refused when it is not the stored events\' key', () => {
  it('refuses another key at start, naming fingerprints only, and counts a returning customer once with the right one', async () => {
    const first = await startMonitor({ NATS_URL: nats.url, PLAN, DATA_DIR: dataDir, CUSTOMER_HASH_KEY: 'the-bank-key-0a1b2c' });
    await publishEvents(nc, [notAgreed('h-1', 'HK-1')]);
    await waitConsumed(nc);
    expect((await getJson(first, counters)).body.rows[0].unresolvedCustomers).toBe(1);
    await first.kill();

    const wrong = await startMonitor({ NATS_URL: nats.url, PLAN, DATA_DIR: dataDir, CUSTOMER_HASH_KEY: 'a-new-key-ffee99' }, { waitHealthy: false });
    const code = await new Promise<number | null>((r) => (wrong.child.exitCode !== null ? r(wrong.child.exitCode) : wrong.child.once('exit', r)));
    expect(code).toBe(1);
    expect(wrong.output()).toMatch(/customer-hash key .* is not the one the stored events were hashed with \(fingerprint [0-9a-f]{16}, stored [0-9a-f]{16}\)/);
    expect(wrong.output()).not.toContain('a-new-key-ffee99');
    expect(wrong.output()).not.toContain('the-bank-key-0a1b2c');

    // the same customer's second ticket, read by a monitor with the right key: still one customer
    await publishEvents(nc, [notAgreed('h-2', 'HK-2')]);
    const right = await startMonitor({ NATS_URL: nats.url, PLAN, DATA_DIR: dataDir, CUSTOMER_HASH_KEY: 'the-bank-key-0a1b2c' });
    try {
      await waitConsumed(nc);
      const rows = (await getJson(right, counters)).body.rows;
      expect(rows[0]).toMatchObject({ unresolvedCustomers: 1, firstContactCustomers: 1 });
    } finally {
      await right.kill();
    }
  });
});
