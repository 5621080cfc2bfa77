import { describe, expect, it } from 'vitest';
import type { Logger } from '../monitor.ts';
import { PendingNotices } from './pending-notices.ts';

const message = (id: string) => ({ subject: `complaints.alerts.t.${id}`, data: id, id });

describe('pending notices - a gateway notice waits for its audit rows', () => {
  it('sends what waited when its rows were taken, not what came after', () => {
    const sent: string[] = [];
    const notices = new PendingNotices(() => ({ publish: (_s: string, data?: unknown) => void sent.push(String(data)) }), () => ({ warn() {} }) as unknown as Logger);
    notices.add(message('a'));
    notices.add(message('b'));
    const sendFirst = notices.take(); // the rows of a and b go to ClickHouse
    notices.add(message('c')); // a change made while that write runs
    expect(sent).toEqual([]);
    sendFirst();
    expect(sent).toEqual(['a', 'b']);
    expect(notices.size).toBe(1);
    notices.take()();
    expect(sent).toEqual(['a', 'b', 'c']);
  });

  it('sends nothing without the counting lease, and says how many were not sent', () => {
    const warned: unknown[] = [];
    const notices = new PendingNotices(() => undefined, () => ({ warn: (o: unknown) => void warned.push(o) }) as unknown as Logger);
    notices.add(message('a'));
    notices.take()();
    expect(warned).toEqual([{ unsent: 1 }]);
  });
});
