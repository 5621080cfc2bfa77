import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPOOL_FILE } from '../../server/alerts/log-spool.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from './support.ts';

// Audit AI 1: in server mode with ClickHouse unreachable, a supervisor's acknowledgement was
// answered 200 and shown, while its audit row's write failed and was dropped: after the next
// restart, even a clean one, the alert was open again, unacknowledged, and its ladder paged anew.
// Now the answer says the action is not stored yet (503), health says rows wait, and the rows are
// written by themselves once ClickHouse answers: the acknowledgement survives the restart.

const YEAR = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
const dir = mkdtempSync(join(tmpdir(), 'cewm-alert-log-outage-'));
const PLAN = join(dir, 'plan.yaml');
writeFileSync(PLAN, readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8').replace('year: 2025', `year: ${YEAR}`));
const TOKEN = 'alert-log-outage-supervisor-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let nats: TestNats;
let nc: NatsConnection;
let ch: TestClickHouseHttp;
let monitor: MonitorProcess;
const env = () => ({ NATS_URL: nats.url, PLAN, CLICKHOUSE_URL: ch.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password, MONITOR_TOKENS: `${TOKEN}:supervisor`, DATA_DIR: monitor?.dataDir });

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  ch = await startClickHouseHttp();
  monitor = await startMonitor(env());
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  await ch?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const alert = async () => (await getJson(monitor, '/api/alerts/case.LOG-1', { headers: auth })).body;
const health = async () => (await getJson(monitor, '/api/health', { headers: auth })).body;

describe('faults - the alert log unreachable when a person acts (server mode)', () => {
  it('answers that the action is not stored yet, writes it once ClickHouse is back, and it survives a restart', async () => {
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const base = { ticketId: 'LOG-1', branch: 'SH', complaintType: 'insurance_dispute', customerId: 'C-log-1', channel: 'branch', occurredAt: at };
    await publishEvents(nc, [{ ...base, eventId: 'log-1-o', kind: 'opened' }, { ...base, eventId: 'log-1-fc', kind: 'first_contact', outcome: 'not_agreed' }]);
    await waitConsumed(nc);
    await until('the case alert', async () => (await alert()).status === 'open', 20_000);

    await ch.kill();
    const ack = await fetch(`${monitor.baseUrl}/api/alerts/case.LOG-1/ack`, { method: 'POST', headers: auth, body: JSON.stringify({ by: '王主管', reason: 'investigating' }) });
    const answer = (await ack.json()) as { error: string; message: string };
    expect(ack.status).toBe(503);
    expect(answer).toMatchObject({ error: 'ALERT_LOG_UNAVAILABLE' });
    expect(answer.message).toMatch(/took effect in this monitor but is not stored yet/);
    expect(answer).toMatchObject({ keptOnDisk: true });
    const degraded = await health();
    expect(degraded.status).toBe('degraded');
    expect(degraded.reasons.join(' ')).toMatch(/alert log writes failing since .*: \d+ rows wait/);
    expect(await (await fetch(`${monitor.baseUrl}/metrics`, { headers: auth })).text()).toMatch(/^AlertLogRowsWaiting [1-9]/m);

    await ch.start();
    await until('the kept rows written', async () => !(await health()).reasons?.some((r: string) => r.startsWith('alert log writes failing')), 60_000);
    expect(monitor.output()).toContain('alert log written again');

    await monitor.kill(); // a clean stop
    monitor = await startMonitor(env());
    const after = await until('the alert read back', async () => {
      const a = await alert();
      return a.status ? a : undefined;
    }, 30_000);
    expect(after).toMatchObject({ status: 'acknowledged', ack: { by: '王主管', reason: 'investigating' } });
    expect(after.history.map((h: { what: string }) => h.what)).toContain('acknowledged');
  }, 180_000);

  // The rows waited in memory only: a stop, or a crash, during the outage lost the person's action.
  for (const [how, signal, text] of [['a clean stop', 'SIGTERM', '停机前备注'], ['a crash', 'SIGKILL', '崩溃前备注']] as const) {
    it(`${how} during the outage keeps the waiting rows on disk, and the next start writes them`, async () => {
      await ch.kill();
      const note = await fetch(`${monitor.baseUrl}/api/alerts/case.LOG-1/note`, { method: 'POST', headers: auth, body: JSON.stringify({ by: '王主管', text }) });
      expect(note.status).toBe(503);
      const answer = (await note.json()) as { message: string; keptOnDisk: boolean };
      expect(answer).toMatchObject({ keptOnDisk: true, message: expect.stringMatching(/kept on this monitor's disk meanwhile, so a restart does not lose it/) });
      expect(existsSync(join(monitor.dataDir, SPOOL_FILE))).toBe(true);
      await monitor.kill(signal);
      if (signal === 'SIGTERM') {
        expect(monitor.output().match(/alert log rows not written before the stop/g)).toHaveLength(1); // verify AJ N7: it was said twice
        expect(monitor.output()).toMatch(/kept on disk, the next start writes them/);
      }
      await ch.start();
      monitor = await startMonitor(env());
      const after = await until('the note read back', async () => {
        const a = await alert();
        return a.history?.some((h: { what: string; detail?: { text?: string } }) => JSON.stringify(h).includes(text)) ? a : undefined;
      }, 30_000);
      expect(after.status).toBe('acknowledged');
      expect(monitor.output()).toContain('alert log rows an earlier run kept on disk are written');
      expect(existsSync(join(monitor.dataDir, SPOOL_FILE))).toBe(false);
    }, 180_000);
  }
});
