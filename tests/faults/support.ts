import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { expect } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import { getJson, type MonitorProcess } from '../helpers/monitor-process.ts';
import { referenceCounts } from '../helpers/reference.ts';

// Shared by the fault tests: every one ends by comparing all counters with an independent
// recount of the events that were published.

export async function expectExactCounters(m: MonitorProcess, plan: CompiledPlan, events: readonly TicketEvent[], init?: RequestInit): Promise<void> {
  const asOf = `${plan.year}-12-31T23:59:59+08:00`;
  const { status, body } = await getJson(m, `/api/counters?year=${plan.year}&asOf=${encodeURIComponent(asOf)}`, init);
  expect(status).toBe(200);
  const expected = referenceCounts(plan, events, Date.parse(asOf));
  expect([...expected.values()].reduce((n, c) => n + c.unresolved, 0)).toBeGreaterThan(5);
  const got = new Map(
    (body.rows as Array<{ complaintType: string; scope: string; unresolvedCustomers: number; firstContactCustomers: number }>).map((r) => [
      `${r.complaintType}|${r.scope}`,
      { unresolved: r.unresolvedCustomers, firstContact: r.firstContactCustomers },
    ]),
  );
  expect(got).toEqual(expected);
}

/** Polls `probe` until it gives a value (not undefined or false); a probe that throws is tried again. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${(last as Error).message})` : ''}`);
}

/** Resident memory of a process in MB, from /proc. */
export function rssMbOf(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** The pipeline facts of the next wall heartbeat (or snapshot) a fresh wall screen gets; undefined when the link fails. */
export async function wallPipeline(m: MonitorProcess): Promise<Record<string, unknown> | undefined> {
  const ws = new WebSocket(`${m.baseUrl.replace('http', 'ws')}/ws?view=wall`);
  try {
    return await new Promise((resolve) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data));
        if (msg.type === 'heartbeat' || msg.type === 'snapshot') resolve(msg.pipeline ?? {});
      });
      ws.on('error', () => resolve(undefined));
    });
  } finally {
    ws.close();
  }
}
