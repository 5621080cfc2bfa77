// The page's ticker and data-quality modules, exercised where they run: imported by a real
// Chromium page (split from wallboard-modules.test.ts).
import { describe, expect, it } from 'vitest';
import { modulePage } from './module-page.ts';

const { withModule } = modulePage();

describe('wall-board modules - ticker and data quality', () => {
  it('data quality - no pill without dead letters; red from a tenth of the hour, or with nothing else received', async () => {
    const w = await withModule<unknown[]>(
      '/src/data-quality.js',
      `[null, {}, { deadLetters: { received: 500, deadLetters: 0 } }, { deadLetters: { received: 500, deadLetters: 3 } },
        { deadLetters: { received: 500, deadLetters: 50 } }, { deadLetters: { received: 0, deadLetters: 2 } }].map((p) => m.deadLetterWarning(p))`,
    );
    expect(w).toEqual([null, null, null, { level: 'watch', count: 3, share: 0.006, sinceStart: false }, { level: 'critical', count: 50, share: 0.1, sinceStart: false }, { level: 'critical', count: 2, share: 1, sinceStart: false }]);
  });

  it('ticker - a case shows how far up its ladder it went; an unacknowledged alert its on-call level past the first', async () => {
    const steps = await withModule<unknown[]>('/src/ticker.js', `[
      m.ladderStep(undefined), m.ladderStep([{ what: 'opened' }]),
      m.ladderStep([{ what: 'case-escalated', detail: { escalation: 'mediation' } }, { what: 'case-escalated', detail: { escalation: 'case_meeting' } }]),
      m.ladderStep([{ what: 'case-escalated', detail: { escalation: 'management' } }]),
    ]`);
    expect(steps).toEqual([null, null, 'mediation', 'management']);
    const badges = await withModule<string[]>('/src/ticker.js', `(() => {
      const list = document.createElement('ul');
      const at = '2025-03-14T10:00:00+08:00';
      const state = { plan: null, timezone: 'Asia/Shanghai', alerts: [
        { id: 'c1', kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ', level: 'breach', status: 'acknowledged', openedAt: at, onCall: { level: 1 }, history: [{ what: 'case-escalated', detail: { escalation: 'mediation' } }] },
        { id: 'l1', kind: 'level', complaintType: 'auto_installment', scope: 'GZ', level: 'critical', status: 'open', openedAt: at, onCall: { level: 2 }, history: [] },
        { id: 'l2', kind: 'level', complaintType: 'auto_installment', scope: 'SH', level: 'watch', status: 'open', openedAt: at, onCall: { level: 1 }, history: [] },
      ] };
      m.renderTicker(list, state);
      return [...list.children].map((li) => li.querySelector('.a-esc')?.textContent ?? '');
    })()`);
    expect(badges).toEqual(['↑三方调解', '↑值班第2级', '']);
  });

  // Verify CR3: under the 2026 plan's header a case carried from 2025 read "12-30 15:00".
  it('ticker - a time outside the plan year says its year; one inside it does not', async () => {
    const times = await withModule<string[]>('/src/ticker.js', `(() => {
      const list = document.createElement('ul');
      m.renderTicker(list, { year: 2026, plan: { year: 2026, types: [], branches: [] }, timezone: 'Asia/Shanghai', alerts: [
        { id: 'c1', kind: 'case', complaintType: 'x', scope: 'BJ', level: 'critical', urgency: 'overdue', status: 'open', openedAt: '2025-12-30T15:00:00+08:00', history: [] },
        { id: 'c2', kind: 'case', complaintType: 'x', scope: 'BJ', level: 'breach', status: 'open', openedAt: '2026-01-02T09:05:00+08:00', history: [] },
        // 31 Dec 17:00 UTC is 1 January in Shanghai: the plan's zone decides the year
        { id: 'c3', kind: 'case', complaintType: 'x', scope: 'BJ', level: 'breach', status: 'open', openedAt: '2025-12-31T17:00:00Z', history: [] },
      ] });
      return [...list.children].map((li) => li.querySelector('.a-time').textContent);
    })()`);
    expect(times).toEqual(['2025-12-30 15:00', '01-02 09:05', '01-01 01:00']);
  });

  // A screens audit: an overdue case read "严重超标" (an allowance word), a broker down for two
  // minutes looked live, and a plan year not yet begun looked live and calm.
  it('ticker - a case shows its urgency in words of its own, a level alert its level', async () => {
    const words = await withModule<string[]>('/src/ticker.js', `(() => {
      const list = document.createElement('ul');
      const at = '2025-03-14T10:00:00+08:00';
      m.renderTicker(list, { plan: null, timezone: 'Asia/Shanghai', alerts: [
        { id: 'c1', kind: 'case', complaintType: 'x', scope: 'BJ', level: 'critical', urgency: 'overdue', status: 'open', openedAt: at, history: [] },
        { id: 'c2', kind: 'case', complaintType: 'x', scope: 'BJ', level: 'breach', urgency: 'stale', status: 'open', openedAt: at, history: [] },
        { id: 'l1', kind: 'level', complaintType: 'x', scope: 'BJ', level: 'critical', status: 'open', openedAt: at, history: [] },
      ] });
      return [...list.children].map((li) => li.querySelector('.a-level').textContent);
    })()`);
    expect(words).toEqual(['超期', '无进展', '严重超标']);
  });

  // Audit G: a silent screen came as an alert no other surface knew. It is a screen status: the
  // snapshot lists the silent ones, `screen` frames change them, and the ticker pins them on top.
  it('ticker - silent wall screens are pinned above the alerts until they are back; a public screen shows no name', async () => {
    const shown = await withModule<Array<[string, string[]]>>('/src/state.js', `import('/src/ticker.js').then((t) => {
      const state = m.fromSnapshot({ plan: null, alerts: [{ id: 'l1', kind: 'level', complaintType: 'x', scope: 'BJ', level: 'watch', status: 'open', history: [] }],
        screens: [{ id: 'lobby-1', name: '大堂屏', lastHeartbeat: '2025-03-14T10:00:00+08:00' }] });
      const list = document.createElement('ul');
      const out = [];
      const look = (masked) => { t.renderTicker(list, state, { masked }); out.push([JSON.stringify(state.screens.map((s) => s.id)), [...list.children].map((li) => (li.dataset.kind ?? '') + ':' + (li.querySelector('.a-what')?.textContent ?? ''))]); };
      look(false);
      m.applyScreen(state, { type: 'screen', id: 'wall-2', name: '', status: 'silent', lastHeartbeat: '2025-03-14T10:01:00+08:00' });
      look(true);
      m.applyScreen(state, { type: 'screen', id: 'lobby-1', status: 'back' });
      m.applyScreen(state, { type: 'screen', id: 'wall-2', status: 'forgotten' });
      look(false);
      return out;
    })`);
    expect(shown).toEqual([
      ['["lobby-1"]', ['screen:大屏 大堂屏 无心跳', 'level:x · BJ']],
      ['["wall-2","lobby-1"]', ['screen:大屏无心跳', 'screen:大屏无心跳', 'level:x · BJ']],
      ['[]', ['level:x · BJ']],
    ]);
  });

  it('data quality - a broker that is not connected stalls the numbers at once; the plan period is said', async () => {
    const stalled = await withModule<boolean[]>('/src/data-quality.js', `[null, { consuming: true, nats: 'connected', lagMs: 10 }, { consuming: true, nats: 'reconnecting', lagMs: 10 },
      { consuming: true, nats: 'connected', lagMs: 200000 }, { consuming: false }].map((p) => m.pipelineStalled(p, 120000))`);
    expect(stalled).toEqual([false, false, true, true, true]);
    const notes = await withModule<string[]>('/src/state.js', `(() => {
      const T = { planEnded: (y) => y + ' ended', planNotStarted: (y) => y + ' not started' };
      const plan = { weeks: [{ start: '2027-01-01T00:00:00-05:00', end: '2027-01-04T00:00:00-05:00' }, { start: '2027-01-04T00:00:00-05:00', end: '2028-01-01T00:00:00-05:00' }] };
      return ['2026-11-27T10:00:00-05:00', '2027-06-01T00:00:00-05:00', '2028-01-01T00:00:00-05:00'].map((asOf) => m.planPeriodNote({ plan, year: 2027, asOf }, T));
    })()`);
    expect(notes).toEqual(['2027 not started', '', '2027 ended']);
  });
});
