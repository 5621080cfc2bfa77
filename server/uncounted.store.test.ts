import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../pipelines/plan/index.ts';
import { ClickHouseSink } from '../pipelines/sinks/clickhouse.ts';
import { masked } from '../pipelines/transforms/test-plan.ts';
import { PLAN_2025 } from '../tests/helpers/stack.ts';
import { storedUnknownBranches } from './uncounted.ts';
import { migratedStoreForFile } from '../tests/helpers/temp-store.ts';

// The count of events from unlisted branches survives a restart: it is read from the store.

const plan = loadPlanFile(PLAN_2025);
const store = migratedStoreForFile('cewm-uncounted-');

describe('uncounted events - read from the store', () => {
  it('counts the plan year\'s stored events per unlisted branch, each event once', async () => {
    const events = [
      masked({ id: 'u1', branch: 'SZ' }),
      masked({ id: 'u2', branch: 'SZ' }),
      masked({ id: 'u3', branch: 'XM' }),
      masked({ id: 'u4', branch: 'BJ' }), // listed
      masked({ id: 'u5', branch: 'SZ', at: '2024-06-01T10:00:00+08:00' }), // another year
    ];
    const sink = new ClickHouseSink(store.ch);
    const stored = (e: (typeof events)[number], streamSeq: number) => ({ event: e, streamSeq, receivedAtMs: e.occurredAtMs });
    await sink.writeBatch(events.map((e, i) => stored(e, i + 1)), []);
    await sink.writeBatch([stored(events[0]!, 1)], []); // a redelivered copy, stored twice until a merge
    expect(await storedUnknownBranches(store.ch, plan)).toEqual([{ branch: 'SZ', events: 2 }, { branch: 'XM', events: 1 }]);
  });
});
