import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { join } from 'node:path';
import { ensureStream } from '../../pipelines/sources/jetstream.ts';
import { LEASE_TTL_MS } from '../../server/lease.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { casesArriving, expectEveryCaseNotified, storedNotices } from './notice-support.ts';
import { until } from './support.ts';

// Verify AD N1: a broker that hangs past the counting lease's lifetime, and is then killed and
// started again. The lease's renewal begun on the hung connection waited out its timeout and the
// reconnection's renewal queued behind it, so the lease stayed unconfirmed for seconds while the
// consumer resumed and the engine derived alerts; their gateway notices were dropped ("not sent
// on NATS: no counting lease") and the people on call never heard of those cases. Every case alert
// must get its notice: at least once (the noticeId folds repeats), never lost.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
/** every notice the monitor sends, kept by the broker across its restart (file storage) */
const NOTICES = 'TEST_ALERT_NOTICES';

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

/** the alert ids the stream's notices name */
const notifiedAlerts = async () => new Set((await storedNotices(nc, NOTICES)).map((n) => n.id));

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm);
  await jsm.streams.add({ name: NOTICES, subjects: ['complaints.alerts.>'] });
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, BATCH_MS: '20', ACK_WAIT_MS: '3000' });
}, 90_000);

afterAll(async () => {
  nats?.resume();
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('faults - nats-server hangs past the counting lease, then is killed and started again', () => {
  it('every new case alert gets its gateway notice, also those derived as the lease is confirmed again', async () => {
    const cases = casesArriving(jetstream(nc, { timeout: 3_000 }), 'hk', 40);
    await until('notices flowing', async () => (await notifiedAlerts()).size >= 20);

    await nats.pause();
    await until(
      'the lease unconfirmed past its lifetime',
      async () => {
        const { lease } = (await getJson(monitor, '/api/health')).body;
        return lease.confirmed === false && Date.now() - Date.parse(lease.confirmedAt) > LEASE_TTL_MS;
      },
      60_000,
    );
    await nats.kill(); // a hung broker's process killed (a watchdog, an operator), then started again
    await nats.start();
    const atRestart = cases.published();
    await until('cases published after the restart', () => cases.published() >= atRestart + 100, 60_000);
    const published = await cases.stop();

    await expectEveryCaseNotified(monitor, 'hk', published, notifiedAlerts);
    const health = await until('health ok again', async () => {
      const { status, body } = await getJson(monitor, '/api/health');
      return status === 200 && body.status === 'ok' && body;
    });
    expect(health).toMatchObject({ consuming: true, lease: { status: 'held', confirmed: true } });
  }, 300_000);
});
