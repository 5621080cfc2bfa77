// @ts-check
// The board's data model and the pure reducers that apply server messages to it. No DOM here:
// app.js renders from this state, and tests read it through window.__wallboard.

/**
 * @typedef {'ok'|'watch'|'breach'|'critical'} Level
 * @typedef {{ code: string, name: string, parent?: string, weight?: number }} Branch
 * @typedef {{ code: string, name: string, mode: 'strict'|'relative', annualAllowance: number }} TypeDef
 * @typedef {{ index: number, start: string, end: string }} WeekDef
 * @typedef {{ year: number, timezone?: string, thresholds?: { watch: number },
 *   branches: Branch[], types: TypeDef[], weeks?: WeekDef[] }} Plan
 * @typedef {{ complaintType: string, scope: string, unresolvedCustomers: number,
 *   firstContactCustomers: number, oneTimeResolutionRate: number|null, allowanceToDate: number,
 *   annualAllowance: number, ratio: number|null, level: Level }} CounterRow
 * @typedef {{ complaintType: string, scope: string, x: number[], allowance: number[],
 *   actual: (number|null)[] }} Series
 * @typedef {{ id: string, kind?: string, complaintType: string, scope: string, level?: string,
 *   status?: string, openedAt?: string, ticketId?: string }} Alert
 * @typedef {{ year: number|null, plan: Plan|null, timezone: string, asOf: string|null,
 *   seq: number|null, counters: Record<string, Record<string, CounterRow>>, alerts: Alert[],
 *   series: Record<string, Series> }} BoardState
 * @typedef {{ code: string, name: string, depth: number, parent: string|null }} ScopeColumn
 */

export const ALL = 'ALL';
export const MAX_ALERTS = 50;
const DEFAULT_TZ = 'Asia/Shanghai';

/** @returns {BoardState} */
export function emptyState() {
  return { year: null, plan: null, timezone: DEFAULT_TZ, asOf: null, seq: null, counters: {}, alerts: [], series: {} };
}

/**
 * A snapshot replaces everything: after a gap or a reconnect nothing from before may survive.
 * @param {any} msg
 * @returns {BoardState}
 */
export function fromSnapshot(msg) {
  const state = emptyState();
  state.plan = msg.plan ?? null;
  state.year = msg.year ?? msg.plan?.year ?? null;
  state.timezone = msg.plan?.timezone || DEFAULT_TZ;
  state.asOf = msg.asOf ?? null;
  state.seq = msg.seq ?? null;
  for (const row of msg.counters ?? []) putCounter(state, row);
  for (const [type, s] of Object.entries(msg.series ?? {})) {
    state.series[type] = { ...s, x: [...s.x], allowance: [...s.allowance], actual: [...s.actual] };
  }
  for (const a of msg.alerts ?? []) upsertAlert(state, a, false);
  return state;
}

/**
 * @param {BoardState} state
 * @param {CounterRow} row
 */
function putCounter(state, row) {
  const byScope = (state.counters[row.complaintType] ??= {});
  byScope[row.scope] = {
    complaintType: row.complaintType,
    scope: row.scope,
    unresolvedCustomers: row.unresolvedCustomers,
    firstContactCustomers: row.firstContactCustomers,
    oneTimeResolutionRate: row.oneTimeResolutionRate,
    allowanceToDate: row.allowanceToDate,
    annualAllowance: row.annualAllowance,
    ratio: row.ratio,
    level: row.level,
  };
  return byScope[row.scope];
}

/**
 * Applies `{type:'counter', seq, asOf, ...CounterRow}`. For scope ALL the chart's actual curve is
 * moved too: the week containing asOf gets the new cumulative count, and weeks skipped since the
 * last known value carry that value forward (counters are sent only on change).
 * @param {BoardState} state
 * @param {any} msg
 * @returns {{ row: CounterRow, chartChanged: boolean }}
 */
export function applyCounter(state, msg) {
  if (msg.asOf) state.asOf = msg.asOf;
  const row = putCounter(state, msg);
  let chartChanged = false;
  const series = state.series[row.complaintType];
  if (row.scope === ALL && series && state.asOf) {
    const i = weekIndexAt(state, series, Date.parse(state.asOf));
    if (i >= 0) {
      let last = -1;
      for (let j = 0; j < series.actual.length; j++) if (series.actual[j] != null) last = j;
      const carry = last >= 0 ? series.actual[last] : 0;
      for (let j = last + 1; j < i; j++) series.actual[j] = carry;
      series.actual[i] = row.unresolvedCustomers;
      chartChanged = true;
    }
  }
  return { row, chartChanged };
}

/**
 * Index into series.x of the week containing tMs, or -1 outside the plan year. The plan's own
 * week table is exact; without it, x (week ends, epoch seconds, end exclusive) is used.
 * @param {BoardState} state
 * @param {Series} series
 * @param {number} tMs
 */
export function weekIndexAt(state, series, tMs) {
  if (!Number.isFinite(tMs)) return -1;
  const weeks = state.plan?.weeks;
  if (weeks && weeks.length === series.x.length) {
    return weeks.findIndex((w) => Date.parse(w.start) <= tMs && tMs < Date.parse(w.end));
  }
  const first = series.x[0];
  if (first == null || tMs < first * 1000 - 7 * 86400e3) return -1;
  return series.x.findIndex((end) => tMs < end * 1000);
}

/**
 * Alerts are listed newest change first and capped; an update moves the alert to the top.
 * @param {BoardState} state
 * @param {any} msg
 * @param {boolean} [toTop]
 */
export function upsertAlert(state, msg, toTop = true) {
  const { type: _t, seq: _s, ...alert } = msg;
  if (alert.id == null) return;
  const at = state.alerts.findIndex((a) => a.id === alert.id);
  if (at >= 0) state.alerts.splice(at, 1);
  if (toTop || at < 0) state.alerts.unshift(alert);
  else state.alerts.splice(at, 0, alert);
  if (state.alerts.length > MAX_ALERTS) state.alerts.length = MAX_ALERTS;
}

/**
 * Grid columns: ALL, then every branch depth-first in plan order, so a sub-branch always stands
 * right after its parent whatever order the plan lists them in.
 * @param {Plan|null} plan
 * @returns {ScopeColumn[]}
 */
export function scopeColumns(plan) {
  /** @type {ScopeColumn[]} */
  const cols = [{ code: ALL, name: '全行', depth: 0, parent: null }];
  const branches = plan?.branches ?? [];
  const codes = new Set(branches.map((b) => b.code));
  const seen = new Set();
  /** @param {string|null} parent @param {number} depth */
  const walk = (parent, depth) => {
    for (const b of branches) {
      const p = b.parent && codes.has(b.parent) ? b.parent : null;
      if (p !== parent || seen.has(b.code)) continue;
      seen.add(b.code);
      cols.push({ code: b.code, name: b.name, depth, parent: p });
      walk(b.code, depth + 1);
    }
  };
  walk(null, 0);
  // A parent cycle would leave branches unvisited; show them flat rather than drop them.
  for (const b of branches) if (!seen.has(b.code)) cols.push({ code: b.code, name: b.name, depth: 0, parent: null });
  return cols;
}
