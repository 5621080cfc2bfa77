// Reads and validates the plan's optional `alerts:` section (docs/ALERTS.md) with the plan
// parser's Reader, so problems are reported like every other plan problem: file, line, path,
// field, and unknown fields refused.

import { indexPath, type Field, type Reader } from '../plan/reader.ts';
import type { BurnWindow, OnCallLevel, PlanAlerts } from './config.ts';

export const ALERTS_FIELDS = ['recovery', 'cases', 'burnRate', 'forecast', 'onCall', 'ackReasons'] as const;
const RECOVERY_FIELDS = ['margin', 'weeks'] as const;
const CASES_FIELDS = ['noProgressHours', 'deadlineDays'] as const;
const BURN_FIELDS = ['fast', 'slow', 'alert'] as const;
const WINDOW_FIELDS = ['hours', 'threshold', 'minCount'] as const;
const FORECAST_FIELDS = ['paceDays'] as const;
const ONCALL_FIELDS = ['levels', 'repeat'] as const;
const LEVEL_FIELDS = ['notify', 'afterMinutes'] as const;
const REASON_CODE = /^[a-z0-9_]{1,40}$/;

const positive = (n: number) => n > 0;
const nonNegInt = (n: number) => Number.isInteger(n) && n >= 0;

export function readAlertsSection(r: Reader, f: Field): PlanAlerts | undefined {
  const m = r.mapping(...f, ALERTS_FIELDS);
  if (!m) return undefined;
  const out: PlanAlerts = {};
  const sub = (name: string, allowed: readonly string[]) => {
    const sf = r.field(m, f[2], name);
    const sm = sf && r.mapping(...sf, allowed);
    return sm && sf ? { sm, path: sf[2] } : undefined;
  };
  const num = (s: { sm: ReturnType<Reader['mapping']>; path: string }, name: string, ok: (n: number) => boolean, what: string, atMost?: number) => {
    const nf = s.sm && r.field(s.sm, s.path, name);
    return nf && r.number(...nf, ok, what, atMost);
  };
  const rec = sub('recovery', RECOVERY_FIELDS);
  if (rec) {
    out.recovery = {};
    const margin = num(rec, 'margin', (n) => n >= 0 && n < 1, 'a number from 0 to below 1');
    const weeks = num(rec, 'weeks', (n) => nonNegInt(n) && n <= 10, 'an integer from 0 to 10');
    if (margin !== undefined) out.recovery.margin = margin;
    if (weeks !== undefined) out.recovery.weeks = weeks;
  }
  const cases = sub('cases', CASES_FIELDS);
  if (cases) {
    out.cases = {};
    const h = num(cases, 'noProgressHours', positive, 'a number greater than 0', 24 * 366);
    const d = num(cases, 'deadlineDays', positive, 'a number greater than 0', 366);
    if (h !== undefined) out.cases.noProgressHours = h;
    if (d !== undefined) out.cases.deadlineDays = d;
  }
  const burn = sub('burnRate', BURN_FIELDS);
  if (burn && burn.sm) {
    out.burnRate = {};
    for (const w of ['fast', 'slow'] as const) {
      const wf = r.field(burn.sm, burn.path, w);
      const wm = wf && r.mapping(...wf, WINDOW_FIELDS);
      if (!wm || !wf) continue;
      const s = { sm: wm, path: wf[2] };
      const win: Partial<BurnWindow> = {};
      const hours = num(s, 'hours', (n) => n > 0 && n <= 24 * 92, 'a number of hours from above 0 to 2208');
      const threshold = num(s, 'threshold', positive, 'a number greater than 0');
      const minCount = num(s, 'minCount', nonNegInt, 'a non-negative integer');
      if (hours !== undefined) win.hours = hours;
      if (threshold !== undefined) win.threshold = threshold;
      if (minCount !== undefined) win.minCount = minCount;
      out.burnRate[w] = win;
    }
    const af = r.field(burn.sm, burn.path, 'alert');
    if (af) {
      const v = af[0] && 'value' in af[0] ? (af[0] as { value: unknown }).value : undefined;
      if (typeof v === 'boolean') out.burnRate.alert = v;
      else r.report(af[1], af[2], af[3], 'must be true or false');
    }
  }
  const fc = sub('forecast', FORECAST_FIELDS);
  if (fc) {
    const p = num(fc, 'paceDays', (n) => n >= 1 && n <= 366, 'a number of days from 1 to 366');
    out.forecast = p === undefined ? {} : { paceDays: p };
  }
  const oc = sub('onCall', ONCALL_FIELDS);
  if (oc && oc.sm) {
    out.onCall = {};
    const repeat = num(oc, 'repeat', (n) => nonNegInt(n) && n <= 100, 'an integer from 0 to 100');
    if (repeat !== undefined) out.onCall.repeat = repeat;
    const lf = r.field(oc.sm, oc.path, 'levels');
    const items = lf && r.list(...lf, true);
    if (items && lf) {
      out.onCall.levels = items.map((item, i): OnCallLevel => {
        const path = indexPath(lf[2], i);
        const lm = r.mapping(item, r.offsetOf(item, lf[1]), path, 'levels', LEVEL_FIELDS, ['notify', 'afterMinutes']);
        const level: OnCallLevel = { notify: [], afterMinutes: 0 };
        if (!lm) return level;
        const nf = r.field(lm, path, 'notify');
        const names = nf && r.list(...nf, true);
        if (names && nf) level.notify = names.map((n, j) => r.string(n, nf[1], indexPath(nf[2], j), 'notify', (s) => s.trim().length > 0 && s.length <= 80, 'a person or role:<role>') ?? '');
        const af = r.field(lm, path, 'afterMinutes');
        const after = af && r.number(...af, (n) => n > 0 && n <= 7 * 24 * 60, 'minutes from above 0 to 10080 (decimals allowed)');
        if (after !== undefined) level.afterMinutes = after;
        return level;
      });
    }
  }
  const rf = r.field(m, f[2], 'ackReasons');
  const reasons = rf && r.list(...rf, true);
  if (reasons && rf) {
    out.ackReasons = reasons.map((n, j) => r.string(n, rf[1], indexPath(rf[2], j), 'ackReasons', (s) => REASON_CODE.test(s), "a code of 1-40 lowercase letters, digits or '_'") ?? '');
  }
  return out;
}
