import { execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentYear, SAMPLE_PLAN } from '../../server/plan-source.ts';
import { getJson, ROOT, startMonitor, waitHealthy, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

// Verify CV1: a SIGTERM during a plan change's derivation. A person's action asked meanwhile
// waits for the derivation; the stop applied it (200) after it had released the counting lease
// (its notices held back, a successor possibly counting already), and then waited 10 s, Docker's
// whole grace period, for the client's kept-alive connection. Now the stop refuses it (503
// STOPPING, nothing stored) and ends in well under a second or two. A store big enough for the
// derivation to last over a second: the rebuild benchmark's bulk load, in the embedded engine.

const ADMIN = 'admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const dir = mkdtempSync(join(tmpdir(), 'cewm-stop-derivation-'));
const planA = readFileSync(SAMPLE_PLAN, 'utf8').replace(/^year:\s*\d{4}/m, `year: ${currentYear(Date.now())}`);
/** plan B: every key derived again, insurance's cases withdrawn, auto_installment's tickets read back */
const planB = planA
  .replace('annualAllowance: 80', 'annualAllowance: 110')
  .replace(/(code: insurance_dispute\n\s+name: .*\n\s+mode:) strict/, '$1 relative')
  .replace(/(code: auto_installment\n\s+name: .*\n\s+mode:) relative/, '$1 strict');
const [PLAN_A, PLAN_B] = [join(dir, 'a.yaml'), join(dir, 'b.yaml')];
writeFileSync(PLAN_A, planA);
writeFileSync(PLAN_B, planB);
const DERIVED = /alerts derived again on the changed plan/;
const BY = '停机时的主管';

let nats: TestNats;
let monitor: MonitorProcess;
const env = (plan: string) => ({ NATS_URL: nats.url, DATA_DIR: dir, PLAN: plan, MONITOR_TOKENS: `${ADMIN}:admin` });
type Alert = { id: string; kind: string; status: string; complaintType: string; history: Array<{ what: string; by?: string }> };

/** a POST on a kept-alive connection, as a browser's or fetch's */
function postKeptAlive(agent: Agent, path: string, body: unknown): Promise<{ status: number; body: { error?: string; message?: string; status?: string } }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${monitor.baseUrl}${path}`, { method: 'POST', agent, headers: { ...auth, 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

beforeAll(async () => {
  nats = await startTestNats();
  // ~100k tickets over the year: a derivation of a few seconds on plan B
  execFileSync(process.execPath, ['--import', 'tsx', 'bench/load.ts', dir, '300000'], { cwd: ROOT, stdio: 'ignore' });
  monitor = await startMonitor(env(PLAN_A), { waitHealthy: false });
  await waitHealthy(monitor, 200_000);
}, 300_000);

afterAll(async () => {
  await monitor?.kill();
  await nats?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('e2e - a stop during a plan change\'s derivation', () => {
  it('refuses the action still waiting (503 STOPPING, not stored) and ends promptly despite its kept-alive connection', async () => {
    const before = (await getJson<{ alerts: Alert[] }>(monitor, '/api/alerts?status=open', { headers: auth })).body.alerts;
    const target = before.find((a) => a.kind === 'level' && a.status === 'open' && a.complaintType !== 'mortgage_prepayment');
    expect(target, 'an open level alert to acknowledge').toBeDefined();
    const seen = monitor.output().length;
    const put = await getJson(monitor, '/api/plan', { method: 'PUT', headers: auth, body: JSON.stringify({ by: '王经理', reason: 'test', plan: planB }) });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const agent = new Agent({ keepAlive: true });
    try {
      const ack = postKeptAlive(agent, `/api/alerts/${encodeURIComponent(target!.id)}/ack`, { by: BY, note: 'asked during the derivation' });
      await new Promise((r) => setTimeout(r, 150));
      expect(DERIVED.test(monitor.output().slice(seen)), 'the derivation still under way at the stop').toBe(false);
      const exited = new Promise<number>((resolve) => monitor.child.once('exit', () => resolve(Date.now())));
      const stoppedAt = Date.now();
      monitor.child.kill('SIGTERM');
      const answer = await ack;
      const tookMs = (await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(Infinity), 20_000))])) - stoppedAt;
      const out = monitor.output().slice(seen);
      // all at once: the answer and the stop's length both show in a failure
      const seenNow = { status: answer.status, error: answer.body.error, stoppedWithin4s: tookMs < 4_000, exitCode: monitor.child.exitCode, heldOnHttp: /still open after 10 s/.test(out) };
      expect(seenNow, `stop took ${tookMs} ms; answer ${JSON.stringify(answer.body).slice(0, 300)}\n${out.slice(-1500)}`).toEqual({ status: 503, error: 'STOPPING', stoppedWithin4s: true, exitCode: 0, heldOnHttp: false });
      expect(answer.body.message).toMatch(/not applied.*Send it again to the monitor that counts next/);
      expect(out, 'stopped before the derivation ended').not.toMatch(DERIVED);
    } finally {
      agent.destroy();
    }
    // the next start (on the plan in force): the action is not in the alert's history
    monitor = await startMonitor(env(PLAN_B), { waitHealthy: false });
    await waitHealthy(monitor, 200_000);
    const after = await getJson<Alert>(monitor, `/api/alerts/${encodeURIComponent(target!.id)}`, { headers: auth });
    expect(after.status).toBe(200);
    expect(after.body.history.filter((h) => h.by === BY)).toEqual([]);
    expect(after.body.status).not.toBe('acknowledged');
  }, 300_000);
});
