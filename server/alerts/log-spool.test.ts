import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../tests/helpers/monitor-process.ts';
import { LogSpool, parseSpool, SPOOL_FILE } from './log-spool.ts';
import type { LogRow } from './store.ts';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cewm-spool-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const row = (entry: string, what = 'acknowledged'): LogRow => ({
  logged_at: '2026-11-27 08:00:00.000', seq: 1, at: '2026-11-27 08:00:00.000', plan_year: 2026, alert_id: 'case.T-1', entry_id: entry,
  kind: 'case', complaint_type: 'insurance_dispute', scope: 'SH', ticket_id: 'T-1', what, actor: '王主管', reason: '', before: '', after: '',
  status: 'acknowledged', level: 'critical', detail: '{}', snapshot: '{"id":"case.T-1"}',
});

describe('log spool - refused alert log rows kept on disk', () => {
  it('keeps rows in order, each once, and a later run reads them back as they were', () => {
    const d = dir();
    const spool = new LogSpool(d);
    const [a, b, c] = [row('e1'), row('e2', 'note'), row('e3', 'escalated')];
    spool.keep([a, b]);
    spool.keep([a, b, c]); // a retry refused again: only the new row is appended
    expect(spool.size).toBe(3);
    expect(readFileSync(join(d, SPOOL_FILE), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(statSync(join(d, SPOOL_FILE)).mode & 0o777).toBe(0o600);
    const later = new LogSpool(d);
    const read = later.read();
    expect(read.skipped).toEqual([]);
    expect(read.rows).toEqual([a, b, c]);
    expect(read.rows.every((r) => later.holds(r))).toBe(true);
    later.clear();
    expect(existsSync(join(d, SPOOL_FILE))).toBe(false);
    expect(later.size).toBe(0);
    expect(new LogSpool(d).read()).toEqual({ rows: [], skipped: [] });
  });

  it('skips a line cut short by a crash and a line that is not a row, naming them, and keeps the rest', () => {
    const d = dir();
    const spool = new LogSpool(d);
    spool.keep([row('e1')]);
    appendFileSync(join(d, SPOOL_FILE), '{"alert_id":"case.T-1"}\nnot json\n');
    spool.keep([row('e2')]);
    appendFileSync(join(d, SPOOL_FILE), '{"alert_id":"case.T-1","entry_id":"e3"'); // the crash
    const read = new LogSpool(d).read();
    expect(read.rows.map((r) => r.entry_id)).toEqual(['e1', 'e2']);
    expect(read.skipped).toEqual([
      { line: 2, reason: 'field entry_id missing or not text' },
      { line: 3, reason: expect.stringMatching(/^not JSON/) },
      { line: 5, reason: 'cut short (no end of line)' },
    ]);
  });

  // Verify AM 3: a row kept after a crash's cut-short line was glued to it, and skipped with it.
  it('rows kept after a line cut short by a crash go on lines of their own', () => {
    const d = dir();
    new LogSpool(d).keep([row('e1')]);
    appendFileSync(join(d, SPOOL_FILE), '{"alert_id":"case.T-1","entry_id":"e2"'); // the crash
    const next = new LogSpool(d);
    next.read();
    next.keep([row('e3')]);
    const read = new LogSpool(d).read();
    expect(read.rows.map((r) => r.entry_id)).toEqual(['e1', 'e3']);
    expect(read.skipped).toEqual([{ line: 2, reason: expect.stringMatching(/^not JSON/) }]);
  });

  // Verify AM 2: a nearly full disk took part of a row; it was counted as kept, and lost.
  it('a write the disk takes only in part throws and leaves the file as it was', () => {
    const d = dir();
    new LogSpool(d).keep([row('e1')]);
    const before = readFileSync(join(d, SPOOL_FILE), 'utf8');
    // the file size limit stands for a full disk: the kernel takes what fits, then refuses (EFBIG)
    const script = join(d, 'keep-big.ts');
    writeFileSync(script, `
      import { LogSpool } from ${JSON.stringify(join(ROOT, 'server/alerts/log-spool.ts'))};
      process.on('SIGXFSZ', () => {});
      const big = { ...${JSON.stringify(row('e2'))}, detail: JSON.stringify({ text: '备注'.repeat(3000) }) };
      try { new LogSpool(${JSON.stringify(d)}).keep([big]); console.log('kept'); } catch (err) { console.log('refused', err.code); }
    `);
    const out = execFileSync('bash', ['-c', `ulimit -f 4 && exec "${process.execPath}" --import tsx "${script}"`], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim()).toBe('refused EFBIG');
    expect(readFileSync(join(d, SPOOL_FILE), 'utf8')).toBe(before);
  });

  it('a disk that refuses the file throws, so the writer can say the rows are in memory only', () => {
    const spool = new LogSpool(join(dir(), 'no-such-dir'));
    expect(() => spool.keep([row('e1')])).toThrow(/ENOENT/);
    expect(spool.size).toBe(0);
    expect(spool.holds(row('e1'))).toBe(false);
  });

  it('parses an empty file and a file of blank lines as nothing', () => {
    expect(parseSpool('')).toEqual({ rows: [], skipped: [] });
    expect(parseSpool('\n\n')).toEqual({ rows: [], skipped: [] });
  });
});
