// Public API of the plan module (docs/ARCHITECTURE.md, "pipelines/plan/").
export { PlanError, type PlanErrorInit } from './errors.ts';
export {
  type Plan,
  type PlanBranch,
  type PlanType,
  type PlanMode,
  DEFAULT_TIMEZONE,
  DEFAULT_WATCH,
  RESERVED_BRANCH_CODE,
  RESERVED_TYPE_CODE,
} from './schema.ts';
export { parsePlan } from './parse.ts';
export { compilePlan, loadPlanFile, cumulative, type CompiledPlan } from './compile.ts';
export {
  type Week,
  weeksOfYear,
  weekIndexAt,
  zonedStartOfDayMs,
  weekLengthsInDays,
  weekCountOfYear,
  daysInYear,
  isLeapYear,
  isValidTimeZone,
  lastInstantBefore,
} from './calendar.ts';
