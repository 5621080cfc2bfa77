import { describe, expect, it } from 'vitest';
import { openPage } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

// The alert ticker cut its last item in half at 1920x1080 and 3840x2160 (soak CE F3): items differ
// in height (a case has a ticket line, a moved level alert its level now), so where the list ends
// falls anywhere in an item. The room reads an item whole or not at all.

const stage = fakeBoard(makeSnapshot);
const at = '2025-03-14T10:00:00+08:00';

/** 40 alerts of three heights, the first `skip` left out: the list's end falls in different items. */
function alerts(skip: number) {
  return Array.from({ length: 40 }, (_, i) => {
    const base = { id: `a-${i}`, complaintType: 'mortgage_prepayment', scope: 'BJ', status: 'open', openedAt: at, history: [] };
    if (i % 3 === 0) return { ...base, kind: 'case', level: 'breach', urgency: 'stale', ticketId: `T-${i}`, history: [{ what: 'case-escalated', detail: { escalation: 'mediation' } }] };
    if (i % 3 === 1) return { ...base, kind: 'level', level: 'critical', currentLevel: 'watch' };
    return { ...base, kind: 'level', level: 'watch' };
  }).slice(skip);
}

describe('wallboard - the ticker shows whole items only', () => {
  for (const viewport of [{ width: 1920, height: 1080 }, { width: 3840, height: 2160 }]) {
    it(`at ${viewport.width}x${viewport.height} every item shown is whole, and the list is filled`, async () => {
      const { page, errors } = await openPage(stage.browser, `${stage.server.url}/`, viewport);
      try {
        for (let skip = 0; skip < 6; skip++) {
          stage.server.setSnapshot({ ...makeSnapshot(), alerts: alerts(skip) } as never);
          const before = stage.server.connections;
          stage.server.dropClients();
          await stage.server.waitForConnections(before + 1, 20_000);
          await page.waitForFunction((id) => document.querySelector('#alerts li')?.getAttribute('data-alert-id') === id, `a-${skip}`, { timeout: 20_000 });
          const items = await page.evaluate(() => {
            const list = document.getElementById('alerts')!.getBoundingClientRect();
            return [...document.querySelectorAll('#alerts li')].map((li) => {
              const r = li.getBoundingClientRect();
              const visible = r.bottom > list.top && r.top < list.bottom && r.right > list.left && r.left < list.right;
              const whole = r.top >= list.top - 0.5 && r.bottom <= list.bottom + 0.5 && r.left >= list.left - 0.5 && r.right <= list.right + 0.5;
              return { visible, whole, gapBelow: list.bottom - r.bottom };
            });
          });
          const shown = items.filter((i) => i.visible);
          expect(shown.every((i) => i.whole), `skip ${skip}: an item cut`).toBe(true);
          expect(shown.length).toBeGreaterThan(3);
          expect(shown.length).toBeLessThan(items.length);
        }
        expect(errors).toEqual([]);
      } finally {
        await page.context().close();
      }
    });
  }
});
