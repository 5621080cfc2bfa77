// The part of the compiled plan (pipelines/plan) that the transforms read. Declared here so the
// stages depend on a narrow shape, not on the plan module's internals; the real CompiledPlan
// satisfies it structurally.

export interface PlanTypeView {
  code: string;
  name: string;
  mode: 'strict' | 'relative';
  annualAllowance: number;
  keywords?: string[];
}

export interface PlanView {
  /** plan year in its time zone, end exclusive */
  yearStartMs: number;
  yearEndMs: number;
  /** thresholds.watch */
  watch: number;
  /** 'ALL' first, then branch codes in plan order */
  scopes: readonly string[];
  types: readonly PlanTypeView[];
  /** the branch, its ancestors, 'ALL'; an unknown branch gives ['ALL'] */
  scopesOf(branch: string): readonly string[];
  allowance(type: string, scope: string): number;
  allowanceToDate(type: string, scope: string, tMs: number): number;
}
