import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../pipelines/rules/index.ts';
import { HttpError } from '../errors.ts';
import { listAlerts, MAX_PAGE, pickAlerts, readAlertListQuery } from './list.ts';

// Audit W F6: GET /api/alerts rendered every alert with its whole history on every call (15.8 MB
// and up to 1.9 s of the counting thread after a year). It pages as /api/dead-letters does, and
// lists with the last history line or none on request; by default it still lists every alert
// with its whole history, as contract section 5 says.

const alert = (n: number, over: Partial<AlertRecord> = {}): AlertRecord => ({
  id: `case.T-${String(n).padStart(3, '0')}`, kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ', level: 'watch', status: 'open',
  openedAtMs: 1_000 * n, raisedAtMs: 1_000 * n, ticketId: `T-${n}`, onCall: { level: 0, round: 0, sinceMs: 0, notify: [] },
  history: [{ id: `h-${n}-1`, atMs: 1_000 * n, what: 'opened' }, { id: `h-${n}-2`, atMs: 1_000 * n + 1, what: 'stale' }],
  ...over,
} as AlertRecord);

const records = [
  ...Array.from({ length: 7 }, (_, i) => alert(i + 1)),
  alert(8, { status: 'resolved', resolution: 'closed', resolvedAtMs: 9_000 }),
  alert(9, { kind: 'level', id: 'level.2025.fees.SH.1', scope: 'SH', level: 'breach', complaintType: 'fees' }),
];
const query = (q: Record<string, string> = {}) => readAlertListQuery(q);
const refusal = (q: Record<string, string>) => {
  try {
    readAlertListQuery(q);
  } catch (err) {
    return err instanceof HttpError ? { status: err.statusCode, message: err.message } : err;
  }
  return undefined;
};

describe('alerts list - what GET /api/alerts answers', () => {
  it('by default every open alert, newest first, each with its whole history, and the total', () => {
    const { total, alerts } = listAlerts(records, query(), 'UTC');
    expect(total).toBe(8);
    expect(alerts.map((a) => a.id)).toEqual(pickAlerts(records, { status: 'open' }).map((r) => r.id));
    expect(alerts[0]?.id).toBe('level.2025.fees.SH.1');
    expect(alerts.every((a) => a.history?.length === 2 && !('historyCount' in a))).toBe(true);
    expect(listAlerts(records, query({ status: 'all' }), 'UTC').total).toBe(9);
  });

  it('pages with limit and offset; the pages together are the whole list, without overlap', () => {
    const whole = listAlerts(records, query({ status: 'all' }), 'UTC').alerts.map((a) => a.id);
    const pages = [0, 4, 8].map((offset) => listAlerts(records, query({ status: 'all', limit: '4', offset: String(offset) }), 'UTC'));
    expect(pages.map((p) => p.total)).toEqual([9, 9, 9]);
    expect(pages.map((p) => p.alerts.length)).toEqual([4, 4, 1]);
    expect(pages.flatMap((p) => p.alerts.map((a) => a.id))).toEqual(whole);
    expect(listAlerts(records, query({ offset: '50' }), 'UTC')).toEqual({ total: 8, alerts: [] });
  });

  it('filters before paging: total counts what the filters match', () => {
    const page = listAlerts(records, query({ kind: 'case', scope: 'BJ', limit: '2' }), 'UTC');
    expect(page.total).toBe(7);
    expect(page.alerts.map((a) => a.id)).toEqual(['case.T-007', 'case.T-006']);
    expect(listAlerts(records, query({ level: 'breach', type: 'fees' }), 'UTC').total).toBe(1);
  });

  it('lists with the last history line, or none, and says how many lines each has', () => {
    const last = listAlerts(records, query({ history: 'last', limit: '1' }), 'UTC').alerts[0]!;
    expect(last.history?.map((h) => h.what)).toEqual(['stale']);
    expect(last).toMatchObject({ historyCount: 2 });
    const none = listAlerts(records, query({ history: 'none', limit: '1' }), 'UTC').alerts[0]!;
    expect(none).not.toHaveProperty('history');
    expect(none).toMatchObject({ id: 'level.2025.fees.SH.1', historyCount: 2, status: 'open' });
  });

  it('refuses a bad value with 400 and a message naming it', () => {
    expect(refusal({ limit: '0' })).toEqual({ status: 400, message: `limit must be a whole number from 1 to ${MAX_PAGE} (got "0")` });
    expect(refusal({ limit: String(MAX_PAGE + 1) })).toMatchObject({ status: 400 });
    expect(refusal({ limit: 'ten' })).toMatchObject({ status: 400 });
    expect(refusal({ offset: '-1' })).toEqual({ status: 400, message: 'offset must be a whole number from 0 to 10000000 (got "-1")' });
    expect(refusal({ history: 'full' })).toEqual({ status: 400, message: 'history must be one of all, last, none (got "full")' });
    expect(refusal({ status: 'closed' })).toMatchObject({ status: 400 });
    expect(refusal({ level: 'red' })).toMatchObject({ status: 400, message: expect.stringContaining('level must be one of ok, watch, breach, critical') });
    expect(refusal({ kind: 'screen' })).toMatchObject({ status: 400 });
    expect(refusal({ format: 'xlsx' })).toMatchObject({ status: 400 });
    expect(refusal({ limit: '1000', offset: '0', history: 'none', format: 'csv' })).toBeUndefined();
  });

  // Audit CL4: the console's 导出 CSV could not say 现级别 (the level now), so it exported another list than it showed
  it('filters on the level now: a level alert\'s current level, a case\'s urgency', () => {
    const fallen = alert(10, { kind: 'level', id: 'level.2025.fees.BJ.1', complaintType: 'fees', level: 'critical', currentLevel: 'watch' });
    const stale = alert(11, { level: 'breach', urgency: 'stale' });
    const all = [...records, fallen, stale];
    expect(pickAlerts(all, query({ currentLevel: 'watch' })).map((r) => r.id).sort()).toEqual([...records.slice(0, 7).map((r) => r.id), fallen.id].sort());
    expect(pickAlerts(all, query({ currentLevel: 'breach' })).map((r) => r.id).sort()).toEqual(['case.T-011', 'level.2025.fees.SH.1']);
    expect(pickAlerts(all, query({ currentLevel: 'critical' }))).toEqual([]);
    expect(query({ mine: '1' }).mine).toBe(true);
    expect(query().mine).toBe(false);
    expect(refusal({ currentLevel: 'red' })).toMatchObject({ status: 400, message: expect.stringContaining('currentLevel must be one of') });
    expect(refusal({ mine: 'yes' })).toMatchObject({ status: 400, message: 'mine must be 1 or 0 (got "yes")' });
  });
});
