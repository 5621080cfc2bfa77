import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePlan, parsePlan } from '../pipelines/plan/index.ts';
import { planHash, setAsidePlanChange, type LoadedPlanFile } from './plan-file-check.ts';

// An audit: a plan changed with PUT /api/plan was silently reverted by the next restart, which
// loads the PLAN file again (under docker-compose every restart does).

const AT = Date.parse('2026-03-02T09:30:00+08:00');
const file: LoadedPlanFile = { path: '/etc/monitor/plan-2026.yaml', hash: 'file-hash', modifiedMs: AT - 86_400_000, year: 2026, timezone: 'Asia/Shanghai' };
const change = { atMs: AT, by: '张三', newHash: 'changed-hash' };

describe('plan file check - a runtime change the PLAN file set aside', () => {
  it('warns when the file is another plan and older than the year\'s last runtime change, naming when, who and the file', () => {
    expect(setAsidePlanChange(change, file)).toBe(
      'the 2026 plan was changed at runtime (PUT /api/plan) on 2026-03-02T09:30:00.000+08:00 by 张三, but this start loaded the PLAN file ' +
        '/etc/monitor/plan-2026.yaml instead, which is another plan and older than that change: the change is no longer in force. ' +
        'To keep the change, write it into the PLAN file (GET /api/plan/changes shows it) and restart; to keep the file\'s plan, touch the file (the warning goes at the next start)',
    );
    expect(setAsidePlanChange(change, { ...file, modifiedMs: undefined })).toMatch(/^the 2026 plan was changed at runtime/);
  });

  it('is quiet with no runtime change, when the file is the changed plan, or when the file was written after the change', () => {
    expect(setAsidePlanChange(undefined, file)).toBeUndefined();
    expect(setAsidePlanChange({ ...change, newHash: 'file-hash' }, file)).toBeUndefined();
    expect(setAsidePlanChange(change, { ...file, modifiedMs: AT + 1 })).toBeUndefined();
  });

  it('compares plans, not texts: the same plan with its keys in another order has the same hash', () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'tests/fixtures/plan-2025.yaml'), 'utf8');
    const reordered = text.replace(/^(year: \d+)\n(timezone: .+)$/m, '$2\n$1');
    expect(reordered).not.toBe(text);
    expect(planHash(compilePlan(parsePlan(reordered, 'b.yaml')))).toBe(planHash(compilePlan(parsePlan(text, 'a.yaml'))));
    expect(planHash(compilePlan(parsePlan(text.replace('annualAllowance: 80', 'annualAllowance: 81'), 'c.yaml')))).not.toBe(planHash(compilePlan(parsePlan(text, 'a.yaml'))));
  });
});
