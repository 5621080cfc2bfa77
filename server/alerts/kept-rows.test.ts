import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../monitor.ts';
import { KeptRows, oldestLoggedMs } from './kept-rows.ts';
import { SPOOL_FILE } from './log-spool.ts';
import type { LogRow } from './store.ts';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cewm-kept-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const row = (entry: string, loggedAt = '2026-11-27 08:00:00.000'): LogRow => ({
  logged_at: loggedAt, seq: 1, at: loggedAt, plan_year: 2026, alert_id: 'case.T-1', entry_id: entry,
  kind: 'case', complaint_type: 'insurance_dispute', scope: 'SH', ticket_id: 'T-1', what: 'acknowledged', actor: '王主管',
  reason: '', before: '', after: '', status: 'acknowledged', level: 'critical', detail: '{}', snapshot: '{"id":"case.T-1"}',
});

function recorder(): Logger & { lines: Array<{ level: string; obj: object | string; msg?: string }> } {
  const lines: Array<{ level: string; obj: object | string; msg?: string }> = [];
  const at = (level: string) => (obj: object | string, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('kept rows - refused alert log rows on the monitor disk', () => {
  it('keeps refused rows in the file; the file goes once none of the rows waiting is in it', () => {
    const d = dir();
    const kept = new KeptRows(d);
    const log = recorder();
    const [a, b, c] = [row('e1'), row('e2'), row('e3')];
    kept.keep([a, b], log);
    expect(kept.path).toBe(join(d, SPOOL_FILE));
    expect([a, b, c].map((r) => kept.holds(r))).toEqual([true, true, false]);
    expect(kept.notOnDisk([a, b, c])).toBe(0);
    kept.clearIfDone([c, b]);
    expect(existsSync(join(d, SPOOL_FILE))).toBe(true);
    kept.clearIfDone([c]);
    expect(existsSync(join(d, SPOOL_FILE))).toBe(false);
    expect(kept.holds(a)).toBe(false);
    expect(log.lines).toEqual([]);
  });

  it('without a data directory every refused row is one the disk refused, said once per outage', () => {
    const kept = new KeptRows();
    const log = recorder();
    const [a, b] = [row('e1'), row('e2')];
    kept.keep([a], log);
    kept.keep([a, b], log);
    expect(kept.path).toBeUndefined();
    expect(kept.holds(a)).toBe(false);
    expect(kept.notOnDisk([a, b, row('e3')])).toBe(2);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: 'error', obj: { err: 'no data directory', file: undefined } });
    expect(log.lines[0]!.msg).toMatch(/could not be kept on disk either/);
    kept.outageOver();
    kept.keep([b], log);
    expect(log.lines).toHaveLength(2);
  });

  it('a row the disk refused counts as kept once a later keep puts it in the file (a freed disk)', () => {
    const d = join(dir(), 'not-yet');
    const kept = new KeptRows(d);
    const log = recorder();
    const [a, b] = [row('e1'), row('e2')];
    kept.keep([a], log);
    expect(kept.notOnDisk([a])).toBe(1);
    expect((log.lines[0]!.obj as { err: string }).err).toMatch(/ENOENT/);
    mkdirSync(d);
    kept.keep([a, b], log);
    expect(kept.notOnDisk([a, b])).toBe(0);
    expect(kept.holds(a) && kept.holds(b)).toBe(true);
    expect(log.lines).toHaveLength(1);
  });

  it('a later run reads the kept rows back in order, holds them, and names the lines that are not rows', () => {
    const d = dir();
    const [a, b] = [row('e1'), row('e2')];
    new KeptRows(d).keep([a, b], recorder());
    appendFileSync(join(d, SPOOL_FILE), 'not json\n');
    const later = new KeptRows(d);
    const log = recorder();
    const rows = later.readEarlierRun(log);
    expect(rows).toEqual([a, b]);
    expect(rows.every((r) => later.holds(r))).toBe(true);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: 'error', obj: { file: join(d, SPOOL_FILE), skipped: [{ line: 3 }] } });
  });

  it('an earlier run that kept nothing: no rows, and an empty file goes', () => {
    const d = dir();
    writeFileSync(join(d, SPOOL_FILE), '');
    const log = recorder();
    expect(new KeptRows(d).readEarlierRun(log)).toEqual([]);
    expect(existsSync(join(d, SPOOL_FILE))).toBe(false);
    expect(new KeptRows().readEarlierRun(log)).toEqual([]);
    expect(log.lines).toEqual([]);
  });
});

describe('kept rows - oldestLoggedMs', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it.each([
    { rows: [], expected: now },
    { rows: [row('e1', '2026-11-27 08:00:00.000'), row('e2', '2026-11-25 23:59:59.500')], expected: Date.parse('2026-11-25T23:59:59.500Z') },
    { rows: [row('e1', '2026-11-28 08:00:00.000')], expected: now },
  ])('$rows.length rows → $expected', ({ rows, expected }) => {
    expect(oldestLoggedMs(rows, now)).toBe(expected);
  });
});
