import type { CounterRow, MaskedEvent } from '../pipelines/model.ts';

// The monitor's own types, for the modules around it.

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** What one committed batch changed: emitted after its events are durable and counted. */
export interface CounterChange {
  asOfMs: number;
  /** the changed (type, scope) counters as of asOfMs */
  rows: CounterRow[];
  /** the new events of the batch (masked), for downstream rules such as alerts */
  events: MaskedEvent[];
  /** the batch changed the past: a correction, or an event dated before the current week */
  retroactive: boolean;
  /** the plan was changed at runtime: every counter is in rows, and the alert rules may differ */
  planChanged?: true;
}
