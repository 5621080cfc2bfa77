import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getJson } from '../helpers/monitor-process.ts';
import { liveStack } from '../helpers/stack.ts';
import { until } from '../faults/support.ts';

// GET /api/screens lists the wall displays with their network addresses, for whoever must find a
// device. A wall carries its viewer token in its URL, on a screen anyone in the room can read: the
// viewer role gets the list without addresses (audit G).

const VIEW = 'screens-viewer-token-0123456789';
const SUP = 'screens-supervisor-token-0123456789';
const live = liveStack({ MONITOR_TOKENS: `${VIEW}:viewer,${SUP}:supervisor` });
const screens = async (token: string) => (await getJson(live.monitor, '/api/screens', { headers: { authorization: `Bearer ${token}` } })).body.screens as Array<Record<string, unknown>>;

describe('screens - who sees a screen\'s address', () => {
  it('a supervisor does; the viewer token a wall carries does not', async () => {
    const ws = new WebSocket(`${live.monitor.baseUrl.replace('http', 'ws')}/ws?token=${VIEW}`);
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'hello', screenId: 'lobby-1', name: '大厅屏' }));
    const [asSupervisor] = await until('the screen listed', async () => {
      const list = await screens(SUP);
      return list.length > 0 ? list : undefined;
    }, 10_000);
    expect(asSupervisor).toMatchObject({ id: 'lobby-1', name: '大厅屏', remote: expect.stringContaining('127.0.0.1') });
    const [asViewer] = await screens(VIEW);
    expect(asViewer).toMatchObject({ id: 'lobby-1', name: '大厅屏' });
    expect(asViewer).not.toHaveProperty('remote');
    ws.close();
  }, 60_000);
});
