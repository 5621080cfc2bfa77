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
 *   annualAllowance: number, ratio: number|null, level: Level, breachWeek?: number|null,
 *   projectedYearEnd?: number|null }} CounterRow
 * @typedef {{ complaintType: string, scope: string, x: number[], allowance: number[],
 *   actual: (number|null)[], forecast?: (number|null)[] }} Series
 * @typedef {{ consuming?: boolean, nats?: string, lastBatchAt?: string|null, lastTicketAt?: string|null, pending?: number|null,
 *   lagMs?: number|null, unknownBranches?: { events: number, codes?: string[] } }} Pipeline
 * @typedef {{ id: string, kind?: string, complaintType: string, scope: string, level?: string,
 *   status?: string, openedAt?: string, ticketId?: string }} Alert
 * @typedef {{ id: string, name: string, lastHeartbeat: string|null }} SilentScreen
 * @typedef {{ year: number|null, plan: Plan|null, timezone: string, asOf: string|null,
 *   seq: number|null, counters: Record<string, Record<string, CounterRow>>, alerts: Alert[],
 *   series: Record<string, Series>, headline: any, pipeline: Pipeline|null,
 *   updatedAt: Record<string, string>, heardAt: number|null, screens: SilentScreen[], dataNotice: string }} BoardState
 * @typedef {{ code: string, name: string, depth: number, parent: string|null }} ScopeColumn
 */

export const ALL = 'ALL';
export const MAX_ALERTS = 50;
const DEFAULT_TZ = 'Asia/Shanghai';

/** @returns {BoardState} */
export function emptyState() {
  return {
    year: null, plan: null, timezone: DEFAULT_TZ, asOf: null, seq: null, counters: {}, alerts: [], series: {},
    headline: null, pipeline: null, updatedAt: {}, heardAt: null, screens: [], dataNotice: '',
  };
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
  state.headline = msg.headline ?? null;
  state.pipeline = msg.pipeline ?? null;
  // the operator's line about the data (DATA_NOTICE), bounded as the server bounds it
  state.dataNotice = typeof msg.dataNotice === 'string' ? msg.dataNotice.trim().slice(0, 120) : '';
  for (const row of msg.counters ?? []) putCounter(state, row);
  for (const [type, s] of Object.entries(msg.series ?? {})) {
    state.series[type] = copySeries(s);
    if (state.asOf) state.updatedAt[type] = state.asOf;
  }
  // the server lists them newest first: kept in that order, so the cap drops the oldest
  for (const a of msg.alerts ?? []) upsertAlert(state, a, false);
  for (const s of msg.screens ?? []) applyScreen(state, { status: 'silent', ...s });
  return state;
}

/**
 * A wall screen's status (`{type:'screen'}`): a silent one is listed until it is back or
 * forgotten. A status, not an alert: it has no level, no history and nobody acknowledges it.
 * @param {BoardState} state
 * @param {any} msg
 */
export function applyScreen(state, msg) {
  if (typeof msg.id !== 'string') return;
  const others = state.screens.filter((s) => s.id !== msg.id);
  if (msg.status === 'silent') others.unshift({ id: msg.id, name: typeof msg.name === 'string' ? msg.name : '', lastHeartbeat: msg.lastHeartbeat ?? null });
  // bounded like the alerts: a wall that lost many screens at once still has room for the rest
  state.screens = others.slice(0, MAX_ALERTS);
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
    breachWeek: row.breachWeek ?? null,
    projectedYearEnd: row.projectedYearEnd ?? null,
  };
  return byScope[row.scope];
}

/** @param {any} s @returns {Series} */
function copySeries(s) {
  return {
    complaintType: s.complaintType, scope: s.scope,
    x: [...s.x], allowance: [...s.allowance], actual: [...s.actual],
    forecast: Array.isArray(s.forecast) ? [...s.forecast] : s.x.map(() => null),
  };
}

/**
 * `{type:'series'}` after a retroactive change: the whole curve of one type is replaced (past
 * points moved), the arrays keep their fixed length (one point per plan week).
 * @param {BoardState} state
 * @param {any} msg
 */
export function applySeries(state, msg) {
  if (typeof msg.complaintType !== 'string' || !Array.isArray(msg.x) || msg.scope !== ALL) return false;
  state.series[msg.complaintType] = copySeries(msg);
  if (msg.asOf) state.updatedAt[msg.complaintType] = msg.asOf;
  return true;
}

/**
 * The straight line to year end at the year-to-date pace, the same rule the server uses:
 * from the current week's value, pace = count / time elapsed in the year.
 * @param {BoardState} state
 * @param {Series} series
 * @param {number} count
 * @param {number} nowMs
 */
export function refreshForecast(state, series, count, nowMs) {
  const weeks = state.plan?.weeks;
  const f = series.forecast ?? (series.forecast = series.x.map(() => null));
  if (!weeks || weeks.length !== series.x.length) return;
  const start = Date.parse(weeks[0]?.start ?? ''), end = Date.parse(weeks[weeks.length - 1]?.end ?? '');
  const inYear = nowMs > start && nowMs < end;
  const pace = inYear ? count / (nowMs - start) : 0;
  for (let i = 0; i < weeks.length; i++) {
    const ws = Date.parse(weeks[i].start), we = Date.parse(weeks[i].end);
    f[i] = !inYear || we <= nowMs ? null : ws <= nowMs ? count : count + pace * (we - nowMs);
  }
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
  if (row.scope === ALL && series) chartChanged = curveTo(state, series, row.unresolvedCustomers);
  if (state.asOf) state.updatedAt[row.complaintType] = state.asOf;
  return { row, chartChanged };
}

/**
 * Puts a live count on a curve: the week containing asOf gets it, and weeks skipped since the
 * last known value carry that value forward (counters are sent only on change).
 * @param {BoardState} state
 * @param {Series} series
 * @param {number} count
 * @returns {boolean} whether asOf's week is on the curve (and now holds `count`)
 */
export function curveTo(state, series, count) {
  if (!state.asOf) return false;
  const i = weekIndexAt(state, series, Date.parse(state.asOf));
  if (i < 0) return false;
  let last = -1;
  for (let j = 0; j < series.actual.length; j++) if (series.actual[j] != null) last = j;
  const carry = last >= 0 ? series.actual[last] : 0;
  for (let j = last + 1; j < i; j++) series.actual[j] = carry;
  series.actual[i] = count;
  refreshForecast(state, series, count, Date.parse(state.asOf));
  return true;
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
 * Whether the board's time is past the plan's year: new events are then stored but counted by
 * no one until the next year's plan is loaded, and the board must say so.
 * @param {BoardState} state
 */
export function planEnded(state) {
  const weeks = state.plan?.weeks;
  const last = weeks?.[weeks.length - 1];
  if (!last || !state.asOf) return false;
  return Date.parse(state.asOf) >= Date.parse(last.end);
}

/**
 * Before the plan year (a plan loaded ahead of New Year): nothing is counted yet, and the board
 * must say so rather than look live and calm.
 * @param {BoardState} state
 */
export function planNotStarted(state) {
  const first = state.plan?.weeks?.[0];
  if (!first || !state.asOf) return false;
  return Date.parse(state.asOf) < Date.parse(first.start);
}

/**
 * Alerts are listed newest change first and capped; an update moves the alert to the top. A
 * snapshot's alerts (toTop false) come already in order: each stays where it is or goes last;
 * so does an update with no history line (`change: []`: its burn rate or current level moved).
 * @param {BoardState} state
 * @param {any} msg
 * @param {boolean} [toTop]
 */
export function upsertAlert(state, msg, toTop = !(Array.isArray(msg.change) && msg.change.length === 0)) {
  const { type: _t, seq: _s, ...alert } = msg;
  if (alert.id == null) return;
  const at = state.alerts.findIndex((a) => a.id === alert.id);
  if (at >= 0) state.alerts.splice(at, 1);
  if (toTop) state.alerts.unshift(alert);
  else if (at >= 0) state.alerts.splice(at, 0, alert);
  else if (state.alerts.length < MAX_ALERTS) state.alerts.push(alert);
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

/**
 * The top bar's words when the clock is outside the plan year ('' inside it).
 * @param {BoardState} state @param {{ planEnded: (y: any) => string, planNotStarted: (y: any) => string }} T
 */
export function planPeriodNote(state, T) {
  return planEnded(state) ? T.planEnded(state.year) : planNotStarted(state) ? T.planNotStarted(state.year) : '';
}
