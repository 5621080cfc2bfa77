import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '@clickhouse/client';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { migrate } from '../../server/clickhouse.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../../tests/helpers/clickhouse-http.ts';

// The plan builder's command line on bad input: exit 2 with the file or option named, before any
// work is done (docs/PLANS.md "Exit 2 on bad input"). No broker or store is needed.

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cewm-plan-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = { eventId: 'e1', ticketId: 't1', kind: 'first_contact', occurredAt: '2024-03-05T10:00:00+08:00', branch: 'BJ', complaintType: 'mortgage_prepayment', customerId: 'c1', outcome: 'not_agreed' };
const history = join(dir, 'history.ndjson');
writeFileSync(history, `${JSON.stringify(event)}\n`);

const plan = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/plan/cli.ts', 'build', '--base', 'tests/fixtures/plan-2025.yaml', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('plan builder - command line', () => {
  it('builds from a history file (the baseline the refusals below differ from)', () => {
    const r = plan('--history', history, '--out', join(dir, 'plan.yaml'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/plan written to .*plan\.yaml/);
  });

  it("keeps every section of the base the builder does not make: the alerts, the zone, the thresholds, keywords (audit: the alerts section was dropped without a word)", () => {
    const base = join(dir, 'base-2024.yaml');
    writeFileSync(base, [
      'year: 2024', 'timezone: Asia/Shanghai', 'thresholds: { watch: 0.75 }', 'branches:', '  - { code: BJ, name: 北京分行 }',
      'types:', '  - { code: mortgage_prepayment, name: 住房贷款提前还款, mode: relative, annualAllowance: 80, keywords: [提前还贷] }',
      'alerts:', '  onCall:', '    levels:', '      - { notify: [值班主管, "role:supervisor"], afterMinutes: 15 }', '    repeat: 1',
      '  recovery: { margin: 0.1, weeks: 2 }', '  cases: { noProgressHours: 24 }', '  ackReasons: [verifying, customer_contacted]', '',
    ].join('\n'));
    const out = join(dir, 'plan-2025-kept.yaml');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/plan/cli.ts', 'build', '--base', base, '--year', '2025', '--history', history, '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const [was, built] = [loadPlanFile(base).plan, loadPlanFile(out).plan];
    expect(built.year).toBe(2025);
    expect(built.alerts).toEqual(was.alerts);
    expect([built.timezone, built.thresholds, built.types[0]!.keywords]).toEqual([was.timezone, was.thresholds, was.types[0]!.keywords]);
    expect(built.types[0]!.weeklyWeights).toHaveLength(loadPlanFile(out).weeks.length);
  });

  it('refuses an empty or blank history file with exit 2, naming the file (audit: a plan by days, exit 0)', () => {
    for (const [name, text] of [['empty.ndjson', ''], ['blank.ndjson', '\n  \n\r\n']] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const r = plan('--history', file, '--out', join(dir, `${name}.yaml`));
      expect(r.code, r.out).toBe(2);
      expect(r.err.trim()).toBe(`error: ${file}: holds no ticket events (empty or blank): the builder needs last year's events; check the export`);
      expect(r.out).not.toMatch(/plan written/);
    }
  });

  it('refuses an --out it cannot write with exit 2, naming --out and the path, before the work (audit: ENOENT after the table, exit 1)', () => {
    const missing = join(dir, 'no-such-dir', 'plan.yaml');
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const cases: Array<[string, string]> = [
      [missing, `error: --out ${missing}: its directory ${join(dir, 'no-such-dir')} does not exist`],
      [folder, `error: --out ${folder}: is a directory; give a file name, e.g. plan-2026.yaml`],
      [join(history, 'plan.yaml'), `error: --out ${join(history, 'plan.yaml')}: ${history} is not a directory`],
    ];
    for (const [out, message] of cases) {
      const r = plan('--history', history, '--out', out);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim()).toBe(message);
      expect(r.out, 'nothing is built first').toBe('');
    }
  });
});

describe('plan builder - a store with nothing of last year', () => {
  let ch: TestClickHouseHttp | undefined;
  afterAll(async () => ch?.cleanup());

  it('refuses with exit 2, naming the store and the year, instead of a plan by days alone (audit: exit 0)', async () => {
    ch = await startClickHouseHttp();
    const client = createClient({ url: ch.url, username: ch.user, password: ch.password });
    await migrate(client);
    await client.close();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/plan/cli.ts', 'build', '--base', 'tests/fixtures/plan-2025.yaml', '--clickhouse-url', ch.url, '--out', join(dir, 'empty-store.yaml')], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password },
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`error: ${ch.url} holds no events of 2024 (the year before 2025): build from an export of 2024 with --history, or give --year`);
  }, 90_000);
});
