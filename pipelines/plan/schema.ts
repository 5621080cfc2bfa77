// The plan format (contract section 2) as narrow types, with defaults filled in, plus the rules
// the parser enforces. Unknown fields are refused everywhere (additionalProperties: false).

import type { PlanAlerts } from '../rules/config.ts';

export type PlanMode = 'strict' | 'relative';

export interface PlanBranch {
  code: string;
  name: string;
  /** absent for top-level branches (children of the implicit root `ALL`) */
  parent?: string;
  /** share among siblings; default 1 */
  weight: number;
}

export interface PlanType {
  code: string;
  name: string;
  mode: PlanMode;
  annualAllowance: number;
  /** one non-negative number per statistical week of the plan year (53 or 54), positive sum */
  weeklyWeights?: number[];
  /** per-branch overrides of the allowance; empty when none given */
  branchAllowances: Record<string, number>;
  /** optional classifier hints for `unclassified` tickets (our addition to the format) */
  keywords?: string[];
}

export interface Plan {
  year: number;
  timezone: string;
  thresholds: { watch: number };
  branches: PlanBranch[];
  types: PlanType[];
  /** optional alert rules (pipelines/rules, docs/ALERTS.md) */
  alerts?: PlanAlerts;
}

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
export const DEFAULT_WATCH = 0.8;
export const DEFAULT_BRANCH_WEIGHT = 1;
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2200;

export const BRANCH_CODE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const TYPE_CODE_PATTERN = /^[a-z0-9_]{1,64}$/;
/** the implicit root scope; no branch may take its code */
export const RESERVED_BRANCH_CODE = 'ALL';
/** the intake systems' "not classified" marker; no type may take its code */
export const RESERVED_TYPE_CODE = 'unclassified';
export const MODES: readonly PlanMode[] = ['strict', 'relative'];

/** Allowed keys of each mapping, in the order we document them. */
export const PLAN_FIELDS = ['year', 'timezone', 'thresholds', 'branches', 'types', 'alerts'] as const;
export const THRESHOLD_FIELDS = ['watch'] as const;
export const BRANCH_FIELDS = ['code', 'name', 'parent', 'weight'] as const;
export const TYPE_FIELDS = [
  'code',
  'name',
  'mode',
  'annualAllowance',
  'weeklyWeights',
  'branchAllowances',
  'keywords',
] as const;
