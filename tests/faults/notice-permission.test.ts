import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { ensureStream } from '../../pipelines/sources/jetstream.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { closeBrowser, launchBrowser, openPage } from '../helpers/browser.ts';
import { until } from './support.ts';

// A bank's NATS users have permissions, and the monitor's may lack publish on the gateways'
// subjects (a typo in `complaints.alerts.>`). Core NATS refuses such a publish only with an
// error on the connection: the flush still answers. The monitor said ok, marked the notices sent
// and no one on call heard of any alert. Now health is degraded and names the subject, the
// notices are not marked sent: they are tried again (a permission given by a broker reload
// releases them, verify AE 5) and the start after a permission given by a restart sends them.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const MONITOR = { user: 'monitor', password: 'monitor-secret-0123' };
const GATEWAY = { user: 'gateway', password: 'gateway-secret-0123' };
const users = (monitorPermissions: string) => `authorization {
  users = [
    { user: "${MONITOR.user}", password: "${MONITOR.password}"${monitorPermissions} }
    { user: "${GATEWAY.user}", password: "${GATEWAY.password}" }
  ]
}
`;
/** what docs/OPERATIONS.md says the monitor's user needs, without the notices' subjects */
const granted = (notices: string) =>
  `, permissions: { publish: { allow: ["$JS.API.>", "$JS.ACK.>", "complaints.monitor.lease.>", "complaints.tickets.>"${notices}] }, subscribe: { allow: ["_INBOX.>"] } }`;
const DENIED = granted('');

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
const notices: Array<{ id: string; noticeId: string }> = [];
const monitorEnv = () => ({ NATS_URL: nats.url, NATS_USER: MONITOR.user, NATS_PASSWORD: MONITOR.password, PLAN, BATCH_MS: '20', NOTICE_REFUSED_RETRY_MS: '1000' });

const newCase = (n: number, branch = 'SH'): TicketEvent => ({
  eventId: `perm-${n}`, ticketId: `PERM-${n}`, kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-05-06T10:00:00+08:00',
  branch, complaintType: 'insurance_dispute', customerId: `permc${n}`,
}) as TicketEvent;
const publishCase = (e: TicketEvent) => jetstream(nc).publish(`complaints.tickets.${e.branch}`, JSON.stringify(e), { msgID: e.eventId });

beforeAll(async () => {
  nats = await startTestNats({ config: users(DENIED) });
  nc = await connect({ servers: nats.url, user: GATEWAY.user, pass: GATEWAY.password, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  await ensureStream(await jetstreamManager(nc));
  const sub = nc.subscribe('complaints.alerts.>');
  void (async () => {
    for await (const m of sub) notices.push(m.json());
  })();
  monitor = await startMonitor(monitorEnv());
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('faults - the monitor may not publish alert notices', () => {
  it('says so in health, keeps the notices unsent, and sends them at the start after the permission is given', async () => {
    await publishCase(newCase(1));
    const health = await until('health degraded by the refused notice', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.status === 'degraded' && body;
    });
    expect(health.reasons).toEqual([expect.stringContaining('no permission to publish on complaints.alerts.insurance_dispute.SH')]);
    expect(health.reasons[0]).toContain('tried again every 1 s'); // as configured (audit AU F4)
    const { body } = await getJson(monitor, '/api/alerts?kind=case');
    expect(body.alerts.map((a: { id: string }) => a.id)).toContain('case.PERM-1');
    await until('the refusal logged', () => monitor.output().includes('not marked sent; tried again every minute'));
    const metrics = await (await fetch(`${monitor.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^AlertNoticesRefused_total [1-9]/m);
    // the monitoring room and the supervisors see it: the people on call hear of nothing meanwhile
    const browser = await launchBrowser();
    try {
      const wall = (await openPage(browser, `${monitor.baseUrl}/`)).page;
      await wall.waitForSelector('#notices-refused:not([hidden])', { timeout: 15_000 });
      expect(await wall.locator('#notices-refused').innerText()).toContain('告警通知发不出（NATS 拒收）');
      expect(await wall.locator('#notices-refused').getAttribute('title')).toContain('complaints.alerts.insurance_dispute.SH');
      const console = (await openPage(browser, `${monitor.baseUrl}/console/`)).page;
      await console.waitForSelector('#notice-banner:not([hidden])', { timeout: 15_000 });
      expect(await console.locator('#notice-banner').innerText()).toContain('NATS 拒收 complaints.alerts.insurance_dispute.SH');
    } finally {
      await closeBrowser(browser);
    }
    expect(notices).toEqual([]);

    await monitor.kill();
    await nats.stop();
    nats.configure(users(granted(', "complaints.alerts.>"'))); // the operator gives the monitor its permission
    await nats.start();
    await until('the gateway connected again', () => nc.flush().then(() => true), 30_000);
    monitor = await startMonitor({ ...monitorEnv(), DATA_DIR: monitor.dataDir });
    await until('the kept notice sent', () => notices.some((n) => n.id === 'case.PERM-1'), 30_000);
    expect(monitor.output()).toContain('alert notices an earlier run wrote and never sent on NATS: sending them now');
    const after = await until('health ok', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.status === 'ok' && body;
    });
    expect(after.reasons).toBeUndefined();
    // the documented permissions are enough: nothing else was refused, before or after
    expect(monitor.output()).not.toMatch(/the broker refused a (publish|subscription)/);
  }, 180_000);

  it('a permission given by a broker reload, the monitor running: the refused notices go out, the others were never held', async () => {
    nats.configure(users(`, permissions: { publish: { allow: ["$JS.API.>", "$JS.ACK.>", "complaints.monitor.lease.>", "complaints.alerts.*.BJ"] }, subscribe: { allow: ["_INBOX.>"] } }`));
    nats.reload(); // only the BJ subjects allowed: one denied subject must not hold back the others
    await publishCase(newCase(2, 'BJ'));
    await publishCase(newCase(3, 'SH'));
    await until('the BJ case notified', () => notices.some((n) => n.id === 'case.PERM-2'), 30_000);
    await until('health degraded by the SH refusal', async () => (await getJson(monitor, '/api/health')).body.status === 'degraded');
    expect(notices.some((n) => n.id === 'case.PERM-3')).toBe(false);
    nats.configure(users(granted(', "complaints.alerts.>"')));
    nats.reload();
    await until('the refused SH case notified by a retry', () => notices.some((n) => n.id === 'case.PERM-3'), 30_000);
    await until('health ok again', async () => (await getJson(monitor, '/api/health')).body.status === 'ok');
  }, 120_000);
});
