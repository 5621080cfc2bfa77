import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { resolveAlertConfig } from '../pipelines/rules/config.ts';
import type { Plan } from '../pipelines/plan/index.ts';
import { loadPlan, SAMPLE_PLAN } from './plan-source.ts';

// The plan `npm start` and the demo run when no PLAN is given: the current year, and an on-call
// ladder, so that an alert nobody acknowledges climbs as the contract says.

describe('sample plan', () => {
  it('loads for the current year with an on-call ladder of two levels', () => {
    const now = Date.parse('2027-03-01T12:00:00+08:00');
    expect(loadPlan(undefined, now).year).toBe(2027);
    const raw = parseYaml(readFileSync(SAMPLE_PLAN, 'utf8')) as Plan;
    const cfg = resolveAlertConfig(raw.alerts);
    expect(cfg.onCall.levels.map((l) => [l.notify, l.afterMinutes])).toEqual([
      [['值班主管', 'role:supervisor'], 15],
      [['消保部负责人', 'role:admin'], 30],
    ]);
    expect(cfg.onCall.repeat).toBe(1);
  });
});
