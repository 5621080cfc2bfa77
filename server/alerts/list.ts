import type { AlertRecord } from '../../pipelines/rules/index.ts';
import { LEVELS } from '../../pipelines/rules/types.ts';
import { badRequest } from '../errors.ts';
import { intParam, type Query } from '../routes/query.ts';
import { listedAlertView, type HistoryDepth, type ListedAlert } from './view.ts';
import { listed, type ListStatus } from './open-alerts.ts';

// GET /api/alerts: the alerts filtered on their own fields first, then one page of them rendered.
// After a year a bank holds thousands of alerts with long histories (audit W: 15.8 MB and up to
// 1.9 s of the counting thread for status=all); rendering only the page, and only the history
// asked for, keeps a call's cost to what it answers. Without `limit` every alert is listed with its
// whole history: the contract's form (section 5), which the console reads.

export const ALERT_QUERY = ['status', 'type', 'scope', 'level', 'currentLevel', 'kind', 'mine', 'format', 'limit', 'offset', 'history'] as const;

const KINDS = ['level', 'case', 'burn'];
const DEPTHS: readonly HistoryDepth[] = ['all', 'last', 'none'];
/** as GET /api/dead-letters pages */
export const MAX_PAGE = 1000;

export interface AlertListQuery {
  status: ListStatus;
  type?: string;
  scope?: string;
  level?: string;
  /** the level now (a case's: its urgency), as the console's 现级别 filter (audit CL4) */
  currentLevel?: string;
  kind?: string;
  /** only the alerts of the caller's branches (the console's 只看我的机构); the route applies it */
  mine: boolean;
  format: 'json' | 'csv';
  /** undefined: every alert */
  limit?: number;
  offset: number;
  history: HistoryDepth;
}

/** The query string, checked: a value that would list nothing by a typo is a 400 naming it. */
export function readAlertListQuery(q: Query): AlertListQuery {
  const format = q.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw badRequest(`format must be json or csv (got "${format}")`);
  const status = q.status ?? 'open';
  if (status !== 'open' && status !== 'all' && status !== 'existing' && status !== 'withdrawn') throw badRequest(`status must be open, all, existing or withdrawn (got "${status}")`);
  if (q.level !== undefined && !(LEVELS as readonly string[]).includes(q.level)) throw badRequest(`level must be one of ${LEVELS.join(', ')} (got "${q.level}")`);
  if (q.currentLevel !== undefined && !(LEVELS as readonly string[]).includes(q.currentLevel)) throw badRequest(`currentLevel must be one of ${LEVELS.join(', ')} (got "${q.currentLevel}")`);
  if (q.mine !== undefined && q.mine !== '1' && q.mine !== '0') throw badRequest(`mine must be 1 or 0 (got "${q.mine}")`);
  if (q.kind !== undefined && !KINDS.includes(q.kind)) throw badRequest(`kind must be one of ${KINDS.join(', ')} (got "${q.kind}")`);
  const history = q.history ?? 'all';
  if (!(DEPTHS as readonly string[]).includes(history)) throw badRequest(`history must be one of ${DEPTHS.join(', ')} (got "${history}")`);
  const limit = q.limit === undefined ? undefined : intParam(q, 'limit', MAX_PAGE, 1, MAX_PAGE);
  const offset = intParam(q, 'offset', 0, 0, 10_000_000);
  return {
    status, format, history: history as HistoryDepth, offset, mine: q.mine === '1',
    ...(limit !== undefined ? { limit } : {}),
    ...(q.type !== undefined ? { type: q.type } : {}),
    ...(q.scope !== undefined ? { scope: q.scope } : {}),
    ...(q.level !== undefined ? { level: q.level } : {}),
    ...(q.currentLevel !== undefined ? { currentLevel: q.currentLevel } : {}),
    ...(q.kind !== undefined ? { kind: q.kind } : {}),
  };
}

/** The records a list shows, newest first (of equal times by id, so pages do not overlap). */
export function pickAlerts(records: Iterable<AlertRecord>, q: Pick<AlertListQuery, 'status' | 'type' | 'scope' | 'level' | 'kind' | 'currentLevel'>): AlertRecord[] {
  const out: AlertRecord[] = [];
  for (const r of records) {
    if (!listed(r, q.status)) continue;
    if ((q.type !== undefined && r.complaintType !== q.type) || (q.scope !== undefined && r.scope !== q.scope)) continue;
    if ((q.level !== undefined && r.level !== q.level) || (q.kind !== undefined && r.kind !== q.kind)) continue;
    if (q.currentLevel !== undefined && levelNow(r) !== q.currentLevel) continue;
    out.push(r);
  }
  return out.sort((a, b) => b.openedAtMs - a.openedAtMs || (a.id < b.id ? -1 : 1));
}

/** The level now, as web/console/level-now.js levelNowOf: a case's level is its urgency now. */
const levelNow = (r: AlertRecord) => (r.kind === 'case' ? r.level : r.currentLevel ?? r.level);

/** One page: `total` counts every alert the filters match, as /api/dead-letters does. */
export function listAlerts(records: Iterable<AlertRecord>, q: AlertListQuery, tz: string): { total: number; alerts: ListedAlert[] } {
  const picked = pickAlerts(records, q);
  const page = picked.slice(q.offset, q.limit === undefined ? undefined : q.offset + q.limit);
  return { total: picked.length, alerts: page.map((r) => listedAlertView(r, tz, q.history)) };
}
