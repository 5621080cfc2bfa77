import { describe, expect, it } from 'vitest';
import { mergeDerived, resolveAlertConfig, withdraw, type DerivedAlert, type HistoryEntry } from './index.ts';

// Audit AW F1: a plan change that moved no level (an allowance raised 40 → 41 → 42, the alerts
// critical throughout) re-sent every open level alert's opening and rises, which a gateway built
// from docs/ALERTS.md pages for, and said 级别升至严重超标 when nothing rose. A rule line re-dated or
// re-figured is now said by the amended line only; a rise past the level shown still goes out.

const cfg = resolveAlertConfig({ onCall: { levels: [{ notify: ['值班主管'], afterMinutes: 15 }], repeat: 0 } });
const T = Date.parse('2026-03-04T04:59:09+08:00');
const NOW = T + 86_400_000;
const ID = 'level.2026.auto_installment.ALL.1';
const line = (what: string, level: 'watch' | 'breach' | 'critical', at: number, unresolved: number): HistoryEntry =>
  ({ id: `${ID}/${what}/${at}/${level}`, atMs: at, what, level, detail: { unresolved, allowanceToDate: 0.25, ratio: unresolved / 0.25 } });
const alert = (level: DerivedAlert['level'], history: HistoryEntry[]): DerivedAlert =>
  ({ id: ID, kind: 'level', complaintType: 'auto_installment', scope: 'ALL', level, currentLevel: level, openedAtMs: T, history });
const planChanged = { retroactive: true, reason: 'plan changed' };

describe('lifecycle - what a re-derivation sends', () => {
  const first = mergeDerived(undefined, alert('critical', [line('opened', 'watch', T, 1), line('raised', 'breach', T, 1), line('raised', 'critical', T + 1_000, 41)]), T, { retroactive: false, reason: 'events' }, cfg);

  it('a plan change that moves no level sends the amended line only', () => {
    // the allowance raised: the critical crossing is the 42nd customer now, a minute later
    const again = mergeDerived(first.record, alert('critical', [line('opened', 'watch', T, 1), line('raised', 'breach', T, 1), line('raised', 'critical', T + 60_000, 42)]), NOW, planChanged, cfg);
    expect(again.entries.map((e) => e.what)).toEqual(['amended']);
    expect(again.record.history.filter((h) => h.what === 'raised').map((h) => h.atMs)).toEqual([T, T + 60_000]); // the record keeps every line
  });

  it('a rise past the level shown still goes out', () => {
    const breach = mergeDerived(undefined, alert('breach', [line('opened', 'watch', T, 1), line('raised', 'breach', T, 1)]), T, { retroactive: false, reason: 'events' }, cfg);
    const rose = mergeDerived(breach.record, alert('critical', [line('opened', 'watch', T, 1), line('raised', 'breach', T, 1), line('raised', 'critical', NOW, 41)]), NOW, planChanged, cfg);
    expect(rose.entries.map((e) => e.what)).toContain('raised');
    expect(rose.entries.filter((e) => e.what === 'raised').map((e) => e.level)).toEqual(['critical']);
  });

  // Verify AX2: back with the same figures, it went out as `amended` alone, like a re-figure
  it('a withdrawn alert back, its figures unchanged, is opened again', () => {
    const gone = withdraw(first.record, NOW, planChanged)!;
    const back = mergeDerived(gone.record, alert('critical', first.record.history.filter((h) => h.what !== 'amended')), NOW + 1_000, planChanged, cfg);
    expect(back.record.status).toBe('open');
    expect(back.entries.map((e) => e.what)).toEqual(expect.arrayContaining(['opened', 'amended']));
  });
});
