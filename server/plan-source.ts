import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePlan, loadPlanFile, parsePlan, type CompiledPlan } from '../pipelines/plan/index.ts';

export const SAMPLE_PLAN = join(dirname(fileURLToPath(import.meta.url)), 'sample-plan.yaml');

/** The current calendar year in the plan's default zone (Asia/Shanghai). */
export function currentYear(nowMs: number): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date(nowMs)));
}

/**
 * PLAN names the plan file. Without it the contract's example plan is used, moved to the current
 * year so that a fresh monitor (and the demo) shows this year's weeks.
 */
export function loadPlan(planPath: string | undefined, nowMs: number): CompiledPlan {
  if (planPath) return loadPlanFile(planPath);
  const text = readFileSync(SAMPLE_PLAN, 'utf8').replace(/^year:\s*\d{4}/m, `year: ${currentYear(nowMs)}`);
  return compilePlan(parsePlan(text, SAMPLE_PLAN));
}
