import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { join } from 'node:path';
import { ensureStream } from '../../pipelines/sources/jetstream.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { startTcpRelay, type TcpRelay } from '../helpers/tcp-relay.ts';
import { casesArriving, expectEveryCaseNotified, newCase, storedNotices } from './notice-support.ts';
import { until } from './support.ts';

// A monitor that dies after writing an alert change's audit rows and before the broker took the
// change's gateway notice: its restart found the change written and sent nothing, so the person
// on call never heard of those cases (docs/ALERTS.md named the gap). The notice is now written to
// an outbox before the rows and marked sent on the broker's word; the restart sends again what was
// written and never marked. Here the monitor's link to the broker swallows everything the monitor
// sends (its notices, acks and lease renewals) while deliveries still reach it, so cases are
// derived and written with their notices going nowhere; then the monitor is SIGKILLed.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
/** every notice the broker takes, kept across the monitor's restart */
const NOTICES = 'TEST_OUTBOX_NOTICES';

let nats: TestNats;
let nc: NatsConnection;
let relay: TcpRelay;
let monitor: MonitorProcess;

const notices = () => storedNotices(nc, NOTICES);
const notifiedAlerts = async () => new Set((await notices()).map((n) => n.id));

/** the case alerts of this test whose `opened` row is in the store */
async function writtenCases(m: MonitorProcess): Promise<number> {
  const res = await fetch(`${m.baseUrl}/api/sql?format=csv`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: "SELECT count() FROM complaints.alert_log WHERE what = 'opened' AND startsWith(alert_id, 'case.') AND ticket_id LIKE 'OB-%'",
  });
  const lines = (await res.text()).trim().split('\n'); // a header, then the count
  return Number(lines[lines.length - 1]);
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm);
  await jsm.streams.add({ name: NOTICES, subjects: ['complaints.alerts.>'] });
  relay = await startTcpRelay(Number(new URL(nats.url).port));
  monitor = await startMonitor({ NATS_URL: `nats://127.0.0.1:${relay.port}`, PLAN, BATCH_MS: '20', ACK_WAIT_MS: '3000' });
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  relay?.close();
  await nc?.close();
  await nats?.cleanup();
});

describe('faults - the monitor dies between its audit rows and the broker taking their notices', () => {
  it('the restart sends the notices of the changes it finds written and never sent', async () => {
    const cases = casesArriving(jetstream(nc), 'ob', 30);
    await until('notices flowing', async () => (await notifiedAlerts()).size >= 10);

    relay.swallow = true;
    const atSwallow = await writtenCases(monitor);
    // cases keep arriving (deliveries still reach the monitor) and are written with their notices
    await until('cases written while nothing the monitor sends arrives', async () => (await writtenCases(monitor)) >= atSwallow + 10, 60_000);
    await monitor.kill('SIGKILL');
    const published = await cases.stop();
    relay.swallow = false;

    monitor = await startMonitor({ NATS_URL: nats.url, PLAN, DATA_DIR: monitor.dataDir, BATCH_MS: '20' });
    await expectEveryCaseNotified(monitor, 'ob', published, notifiedAlerts);
    expect(monitor.output()).toContain('alert notices an earlier run wrote and never sent on NATS: sending them now');
    // sent late, and saying so: when each was written (verify AG N4)
    const resent = ((await notices()) as Array<{ resent?: boolean }>).filter((n) => n.resent);
    expect(resent.length).toBeGreaterThan(0);
    for (const n of resent) {
      expect(n).toMatchObject({ writtenAt: expect.stringMatching(/[+-]\d\d:\d\d$/), notice: { text: expect.stringMatching(/^【补发】.*（原写于\d\d-\d\d \d\d:\d\d）$/) } });
    }
  }, 300_000);

  it('a clean stop and start sends nothing again', async () => {
    const js = jetstream(nc);
    const before = await notices();
    const caseWithNotice = async (n: number) => {
      await js.publish('complaints.tickets.SH', JSON.stringify(newCase('ob', n)), { msgID: `ob-${n}` });
      await until(`the notice of case OB-${n}`, async () => (await notifiedAlerts()).has(`case.OB-${n}`), 30_000);
    };
    await caseWithNotice(9001);
    await monitor.kill(); // SIGTERM, right after a notice: its mark is written by the stop
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN, DATA_DIR: monitor.dataDir, BATCH_MS: '20' });
    // a start sends what it sends again before anything new: once this case's notice is in, any would be
    await caseWithNotice(9002);
    const after = (await notices()).slice(before.length).map((n) => n.noticeId);
    const earlier = new Set(before.map((n) => n.noticeId));
    expect(after.filter((id) => earlier.has(id)), 'notices sent again').toEqual([]);
    expect(new Set(after).size).toBe(after.length);
    expect(monitor.output()).not.toContain('never sent on NATS');
  }, 120_000);

  // Verify AE 6: the lease was let go before the last audit rows were written, so a clean stop
  // while notices flowed kept its last ones (10–21 of them) for whatever start came next.
  it('a clean stop while cases arrive sends its last notices before it goes', async () => {
    const cases = casesArriving(jetstream(nc), 'cs', 20);
    await until('cases flowing', async () => (await notifiedAlerts()).has('case.CS-20'), 60_000);
    await monitor.kill(); // SIGTERM in the middle of the flow
    const published = await cases.stop();
    const notified = await notifiedAlerts();
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN, DATA_DIR: monitor.dataDir, BATCH_MS: '20' });
    const written = await until('the cases written before the stop', async () => {
      const { body } = await getJson(monitor, '/api/alerts?status=all&kind=case');
      return (body.alerts as Array<{ id: string; ticketId?: string }>).filter((a) => a.ticketId?.startsWith('CS-')).map((a) => a.id);
    });
    expect(published).toBeGreaterThan(20);
    // each case the stopped monitor had written was notified before it went: none left for this start
    await until('the start settled', () => monitor.output().includes('alert engine started'));
    expect(monitor.output()).not.toContain('never sent on NATS');
    const heardBeforeRestart = written.filter((id) => notified.has(id));
    expect(heardBeforeRestart.length).toBeGreaterThan(20);
  }, 120_000);
});
