// Public API of the plan builder (docs/PLANS.md).
export { notAgreedByDay, observedDays, dayStarts, dayIndexAt, type HistoryEvent, type DailyHistory } from './history.ts';
export { weeklySmoothed, weeklyTotals, mapByDate, calendarDate, dayOfYear } from './mapping.ts';
export { parseForecast, parseBranchSizes, factorOf, type ForecastPeriod, type BranchSize } from './inputs.ts';
export { parseHistoryNdjson } from './ndjson.ts';
export { buildPlan, type BuildInput, type BuildResult, type TypeReport } from './build.ts';
export { curveTable } from './table.ts';
