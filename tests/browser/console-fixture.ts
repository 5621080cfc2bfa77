import { afterAll, beforeAll } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { closeBrowser, launchBrowser } from '../helpers/browser.ts';
import { ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

// The console's browser tests share one set-up: a real nats-server, the monitor process with a
// whole-bank supervisor, a supervisor of BJ and a viewer, and a headless Chromium.

export const SUP = 'console-supervisor-0123456789';
export const BJ_SUP = 'console-bj-supervisor-0123456789';
export const VIEWER = 'console-viewer-0123456789';

export interface ConsoleFixture {
  nats: TestNats;
  nc: NatsConnection;
  monitor: MonitorProcess;
  browser: Browser;
}

/** Registers the file's beforeAll/afterAll; the returned object is filled before the first test. */
export function consoleFixture(env: Record<string, string> = {}): ConsoleFixture {
  const f = {} as ConsoleFixture;
  beforeAll(async () => {
    f.nats = await startTestNats();
    f.nc = await f.nats.connect();
    f.monitor = await startMonitor({ NATS_URL: f.nats.url, PLAN: join(ROOT, 'tests/fixtures/plan-2025.yaml'), MONITOR_TOKENS: `${SUP}:supervisor,${BJ_SUP}:supervisor:BJ,${VIEWER}:viewer`, ...env });
    f.browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await closeBrowser(f.browser);
    await f.monitor?.kill();
    await f.nc?.close();
    await f.nats?.cleanup();
  });
  return f;
}

/** A not-agreed first contact of an insurance dispute at 上海分行, unless `extra` says otherwise. */
export const event = (id: string, ticketId: string, extra: Partial<TicketEvent>): TicketEvent => ({
  eventId: id, ticketId, kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-05-06T10:00:00+08:00',
  branch: 'SH', complaintType: 'insurance_dispute', customerId: `cust-${ticketId}`, ...extra,
});
