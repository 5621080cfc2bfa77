import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { CounterRow } from '../../pipelines/model.ts';
import { getJson, type MonitorProcess } from './monitor-process.ts';

// The wall-board's grid as the page shows it, against the monitor's /api/counters.

/** every grid cell and the panels' bank-wide figures, as the page shows them */
export async function pageNumbers(p: Page) {
  return p.evaluate(() => {
    const out: Record<string, { u: string; a: string; level: string }> = {};
    for (const td of document.querySelectorAll<HTMLElement>('td.cell')) {
      out[`${td.dataset.type}|${td.dataset.scope}`] = {
        u: td.querySelector('.unresolved')!.textContent!,
        a: td.querySelector('.allowance')!.textContent!,
        level: td.dataset.level!,
      };
    }
    return out;
  });
}

export const expectedNumbers = (rows: CounterRow[]) =>
  Object.fromEntries(rows.map((r) => [`${r.complaintType}|${r.scope}`, { u: String(r.unresolvedCustomers), a: r.allowanceToDate.toFixed(1), level: r.level }]));

/** Polls until the page's numbers equal /api/counters now (live updates arrive coalesced). */
export async function expectPageEqualsApi(monitor: MonitorProcess, year: number, p: Page, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const { body } = await getJson<{ rows: CounterRow[] }>(monitor, `/api/counters?year=${year}`);
    const want = expectedNumbers(body.rows);
    const got = await pageNumbers(p);
    if (JSON.stringify(got) === JSON.stringify({ ...got, ...want }) && Object.keys(got).length === body.rows.length) {
      expect(got).toEqual(want);
      return body.rows;
    }
    last = { got, want };
    if (Date.now() > until) expect(last && (last as { got: unknown }).got).toEqual(want);
    await new Promise((r) => setTimeout(r, 250));
  }
}
