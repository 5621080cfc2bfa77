import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMonitor } from '../helpers/monitor-process.ts';

// A bad plan is refused at start with the file, line and field: the monitor never runs on a
// partly loaded plan.

describe('plan - refused at start', () => {
  it('exits with a message naming the line and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cewm-plan-'));
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, ['year: 2025', 'types:', '  - code: mortgage_prepayment', '    name: 住房贷款提前还款', '    mode: relative', '    annualAllowance: eighty', ''].join('\n'));
    const m = await startMonitor({ NATS_URL: 'nats://127.0.0.1:1', PLAN: plan }, { waitHealthy: false });
    const code = await new Promise<number | null>((r) => (m.child.exitCode !== null ? r(m.child.exitCode) : m.child.once('exit', r)));
    expect(code).toBe(1);
    expect(m.output()).toMatch(/plan\.yaml:6: types\[0\]\.annualAllowance/);
  });
});
