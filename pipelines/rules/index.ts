// Public API of the alert rules: pure functions of the events, the counters and the clock.
export * from './types.ts';
export { DEFAULT_ALERT_CONFIG, DEFAULT_ACK_REASONS, resolveAlertConfig, type AlertRulesConfig, type BurnWindow, type OnCallLevel, type PlanAlerts } from './config.ts';
export { deriveLevelEpisodes, levelAlertId, type LevelSampler, type LevelKey, type WeekSpan } from './level.ts';
export { TicketBook, deriveCase, caseAlertId, caseDueAtMs, type CaseTicket, type CaseContext } from './cases.ts';
export { CasesDue } from './cases-due.ts';
export { burnRate, breachForecast, smoothAllowance, type BurnReading, type BreachForecast } from './burn.ts';
export { applyAction, escalationDue, mergeDerived, reconcile, withdraw, ActionRefused, type Action, type AlertRecord, type Cause, type Step } from './lifecycle.ts';
export { readAlertsSection } from './plan-section.ts';
export { deriveLevelAlerts, deriveCaseAlerts, signalsOf, allKeys, type Key } from './derive.ts';
export { compareLines, DERIVED_WHATS, isDerivedLine } from './derived-lines.ts';
