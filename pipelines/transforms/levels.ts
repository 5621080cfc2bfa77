import type { Level } from '../model.ts';

/** unresolved / allowanceToDate; null when nothing is allowed yet (a ratio would be infinite). */
export function ratioOf(unresolved: number, allowanceToDate: number): number | null {
  return allowanceToDate === 0 ? null : unresolved / allowanceToDate;
}

/** Contract section 3: critical > annual; breach > to date; watch at ratio >= watch; else ok. */
export function levelOf(unresolved: number, allowanceToDate: number, annualAllowance: number, watch: number): Level {
  if (unresolved > annualAllowance) return 'critical';
  if (unresolved > allowanceToDate) return 'breach';
  const ratio = ratioOf(unresolved, allowanceToDate);
  // 7 / 8.750000000000002 is 0.7999999999999998: at the threshold by the plan's arithmetic, below
  // it by the float's; the plan's wins
  if (ratio !== null && ratio >= watch * (1 - 1e-12)) return 'watch';
  return 'ok';
}
