import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPOOL_FILE } from '../../server/alerts/log-spool.ts';
import { startClickHouseGate, type ClickHouseGate } from '../helpers/clickhouse-gate.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from './support.ts';

// Verify AM 1: a monitor started again while ClickHouse still refused the alert log's writes
// read its alerts without the actions it had kept on disk: every one came back undone, and the
// next action on such an alert wrote a newer snapshot without them, for good. The kept rows are
// now taken in by the start whether or not ClickHouse takes them yet. The monitor runs in server
// mode behind a gate that refuses every insert into alert_log, while the rest of the store works.

const YEAR = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
const dir = mkdtempSync(join(tmpdir(), 'cewm-alert-log-refused-'));
const PLAN = join(dir, 'plan.yaml');
writeFileSync(PLAN, readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8').replace('year: 2025', `year: ${YEAR}`));
const TOKEN = 'alert-log-refused-supervisor-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let nats: TestNats;
let nc: NatsConnection;
let ch: TestClickHouseHttp;
let gate: ClickHouseGate;
let monitor: MonitorProcess;
const env = () => ({ NATS_URL: nats.url, PLAN, CLICKHOUSE_URL: gate.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password, MONITOR_TOKENS: `${TOKEN}:supervisor`, DATA_DIR: monitor?.dataDir });

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  ch = await startClickHouseHttp();
  gate = await startClickHouseGate(ch.url);
  monitor = await startMonitor(env());
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  await gate?.close();
  await nc?.close();
  await nats?.cleanup();
  await ch?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

type Alert = { status?: string; ack?: { by: string }; history: Array<{ what: string; detail?: { text?: string } }> };
const alert = async (): Promise<Alert> => (await getJson(monitor, '/api/alerts/case.REF-1', { headers: auth })).body;
const act = (what: string, body: object) => fetch(`${monitor.baseUrl}/api/alerts/case.REF-1/${what}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
const notes = (a: Alert) => a.history.filter((h) => h.what === 'note').map((h) => h.detail?.text);

describe('faults - a start while ClickHouse still refuses the alert log', () => {
  it('shows the actions kept on disk, builds on them, and writes them all once ClickHouse takes them', async () => {
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const base = { ticketId: 'REF-1', branch: 'SH', complaintType: 'insurance_dispute', customerId: 'C-ref-1', channel: 'branch', occurredAt: at };
    await publishEvents(nc, [{ ...base, eventId: 'ref-1-o', kind: 'opened' }, { ...base, eventId: 'ref-1-fc', kind: 'first_contact', outcome: 'not_agreed' }]);
    await waitConsumed(nc);
    await until('the case alert', async () => (await alert()).status === 'open', 20_000);

    gate.set({ match: /INSERT INTO complaints\.alert_log\b/, action: 'fail' });
    const ack = await act('ack', { by: '王主管', reason: 'investigating' });
    expect(ack.status).toBe(503);
    expect(await ack.json()).toMatchObject({ error: 'ALERT_LOG_UNAVAILABLE', keptOnDisk: true });
    await monitor.kill('SIGKILL');

    monitor = await startMonitor(env()); // the gate still refuses
    const back = await until('the alerts read back', async () => ((await alert()).status ? alert() : undefined), 30_000);
    expect(back).toMatchObject({ status: 'acknowledged', ack: { by: '王主管' } });
    expect(monitor.output()).toContain('alert log rows an earlier run kept on disk are refused again');
    // failing since the earlier run's refusal, not since this start
    const { alertLog, startedAt } = (await getJson(monitor, '/api/health', { headers: auth })).body;
    expect(Date.parse(alertLog.failingSince)).toBeLessThan(Date.parse(startedAt));
    // the next action builds on the kept one: its snapshot is acknowledged too
    const note = await act('note', { by: '李主管', text: '重启后备注' });
    expect(note.status).toBe(503);
    expect(await note.json()).toMatchObject({ keptOnDisk: true });

    gate.set(undefined);
    await until('the kept rows written', async () => !existsSync(join(monitor.dataDir, SPOOL_FILE)), 60_000);
    await monitor.kill('SIGKILL');
    monitor = await startMonitor(env());
    const after = await until('the alerts read back again', async () => ((await alert()).status ? alert() : undefined), 30_000);
    expect(after).toMatchObject({ status: 'acknowledged', ack: { by: '王主管' } });
    expect(notes(after)).toEqual(['重启后备注']);
    expect(after.history.filter((h) => h.what === 'acknowledged')).toHaveLength(1);
  }, 180_000);

  // Verify AM 4: rows of actions still on their way to a write counted as "not kept on disk", and
  // people acting at the same moment were told their action would be lost with a restart.
  it('people acting at the same moment are each told their action is kept on disk', async () => {
    gate.set({ match: /INSERT INTO complaints\.alert_log\b/, action: 'fail' });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => act('note', { by: `主管${i}`, text: `同时备注 ${i}` }).then((r) => r.json())));
    expect(answers.map((a) => [a.error, a.keptOnDisk])).toEqual(Array.from({ length: 8 }, () => ['ALERT_LOG_UNAVAILABLE', true]));
    gate.set(undefined);
    await until('the kept rows written', async () => !existsSync(join(monitor.dataDir, SPOOL_FILE)), 60_000);
    expect(notes(await alert()).filter((t) => t?.startsWith('同时备注'))).toHaveLength(8);
  }, 120_000);
  // Verify AN N2: a start no longer waits for the kept rows' write, and health said none waited
  // meanwhile: the console took that for "stored".
  it('while a start writes the kept rows, health says they wait until they are in', async () => {
    gate.set({ match: /INSERT INTO complaints\.alert_log\b/, action: 'fail' });
    expect((await act('note', { by: '王主管', text: '写入前重启' })).status).toBe(503);
    await monitor.kill('SIGKILL');
    gate.set({ match: /INSERT INTO complaints\.alert_log\b/, action: 'hold' });
    monitor = await startMonitor(env());
    await until('the write held', async () => gate.holding > 0, 30_000);
    const health = (await getJson(monitor, '/api/health', { headers: auth })).body;
    expect(health.alertLog.rowsWaiting).toBeGreaterThanOrEqual(1);
    expect(health.reasons.join(' ')).toMatch(/alert log rows an earlier run kept on disk: \d+ rows wait for their write/);
    gate.set(undefined);
    gate.release();
    await until('the rows in', async () => (await getJson(monitor, '/api/health', { headers: auth })).body.alertLog.rowsWaiting === 0, 30_000);
    expect(existsSync(join(monitor.dataDir, SPOOL_FILE))).toBe(false);
    expect(notes(await alert())).toContain('写入前重启');
  }, 120_000);
  // Verify AO O1: rows the disk refused once stayed marked "not on disk" after a later write put
  // them in the file, and every later action was told it was not kept.
  it('once the disk takes the file again, the rows it refused before count as kept', async () => {
    const spool = join(monitor.dataDir, SPOOL_FILE);
    mkdirSync(spool); // the disk refuses the file: it cannot be opened for writing
    gate.set({ match: /INSERT INTO complaints\.alert_log\b/, action: 'fail' });
    const first = await act('note', { by: '王主管', text: '磁盘拒写时' });
    expect(await first.json()).toMatchObject({ error: 'ALERT_LOG_UNAVAILABLE', keptOnDisk: false });
    expect((await getJson(monitor, '/api/health', { headers: auth })).body.alertLog.notOnDisk).toBeGreaterThanOrEqual(1);
    rmSync(spool, { recursive: true });
    const second = await act('note', { by: '王主管', text: '磁盘恢复后' });
    expect(await second.json()).toMatchObject({ error: 'ALERT_LOG_UNAVAILABLE', keptOnDisk: true });
    expect((await getJson(monitor, '/api/health', { headers: auth })).body.alertLog.notOnDisk).toBe(0);
    expect(readFileSync(spool, 'utf8')).toContain('磁盘拒写时');
    gate.set(undefined);
    await until('the kept rows written', async () => !existsSync(spool), 60_000);
    expect(notes(await alert())).toEqual(expect.arrayContaining(['磁盘拒写时', '磁盘恢复后']));
  }, 120_000);
  // Audit AP 2: kept rows older than a change another run made later (an earlier version put back
  // meanwhile, which does not read the file; or another monitor): they go into the history, the
  // alert keeps the later state, and the start says so.
  it('kept rows older than a later stored change of their alert: the later state stays, and the start says so', async () => {
    gate.set({ match: /INSERT INTO complaints\.alert_log\b/, action: 'fail' });
    expect((await act('note', { by: '王主管', text: '被后来的状态覆盖' })).status).toBe(503);
    await monitor.kill('SIGKILL');
    gate.set(undefined);
    // another run's later change of the alert: its last row again, a minute later, acknowledged by someone else
    const later = `INSERT INTO complaints.alert_log SELECT logged_at + INTERVAL 1 MINUTE, at, plan_year, alert_id, 'later-run-line', kind, complaint_type, scope,
      ticket_id, 'assigned', '另一次运行', reason, before, after, status, level, detail, replaceAll(snapshot, '"by":"王主管"', '"by":"另一次运行"'), seq + 1
      FROM complaints.alert_log WHERE alert_id = 'case.REF-1' ORDER BY logged_at DESC, seq DESC LIMIT 1`;
    const res = await fetch(`${ch.url}/?query=${encodeURIComponent(later)}`, { method: 'POST', headers: { 'X-ClickHouse-User': ch.user, 'X-ClickHouse-Key': ch.password } });
    expect(res.status, await res.text()).toBe(200);
    monitor = await startMonitor(env());
    const back = await until('the alerts read back', async () => ((await alert()).status ? alert() : undefined), 30_000);
    expect(back).toMatchObject({ status: 'acknowledged', ack: { by: '另一次运行' } }); // the later state
    expect(notes(back)).toContain('被后来的状态覆盖');
    expect(monitor.output()).toContain('alert log rows kept on disk are older than their alerts\' last stored change');
    await until('the kept rows written', async () => !existsSync(join(monitor.dataDir, SPOOL_FILE)), 60_000);
  }, 120_000);

  // Audit AU F9: a stop losing actions the disk refused too named none of them
  it('a stop that loses actions names them: the alert, what, who, when', async () => {
    mkdirSync(join(monitor.dataDir, SPOOL_FILE)); // the disk refuses the file
    gate.set({ match: /INSERT INTO complaints\.alert_log\b/, action: 'fail' });
    expect(await (await act('note', { by: '赵主管', text: '停机前备注' })).json()).toMatchObject({ keptOnDisk: false });
    await monitor.kill('SIGTERM');
    const line = monitor.output().split('\n').find((l) => l.includes("actions among them are lost"));
    expect(JSON.parse(line!).actions).toContainEqual({ alert: 'case.REF-1', what: 'note', by: '赵主管', at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/) });
  }, 120_000);
});
