import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getJson } from '../helpers/monitor-process.ts';
import { liveStack } from '../helpers/stack.ts';
import { until } from '../faults/support.ts';

// GET /api/screens lists the wall displays with their network addresses, for whoever must find a
// device. A wall carries its viewer token in its URL, on a screen anyone in the room can read: the
// viewer role gets the list without addresses (audit G). A supervisor may forget a screen, and a
// page that closes its link itself is not missed (audit V F9).

const VIEW = 'screens-viewer-token-0123456789';
const SUP = 'screens-supervisor-token-0123456789';
// a screen is silent after 1 s here, so a test sees one go silent
const live = liveStack({ MONITOR_TOKENS: `${VIEW}:viewer,${SUP}:supervisor`, SCREEN_SILENT_MS: '1000', WALLBOARD_HEARTBEAT_MS: '300' });
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

const wsUrl = () => `${live.monitor.baseUrl.replace('http', 'ws')}/ws?view=console&token=${VIEW}`; // screen frames: the console's feed
const forget = (id: string, token: string) => fetch(`${live.monitor.baseUrl}/api/screens/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });

describe('screens - forgetting one', () => {
  it('a supervisor forgets a silent screen and every page is told; a viewer may not; unknown or bad ids are refused', async () => {
    const watcher = new WebSocket(wsUrl());
    const frames: Array<Record<string, unknown>> = [];
    watcher.on('message', (d) => frames.push(JSON.parse(String(d))));
    const trial = new WebSocket(wsUrl());
    await Promise.all([watcher, trial].map((s) => new Promise((r) => s.once('open', r))));
    trial.send(JSON.stringify({ type: 'hello', screenId: 'trial-kiosk', name: '', kiosk: true }));
    await until('the screen listed', async () => (await screens(SUP)).some((s) => s.id === 'trial-kiosk'), 10_000);
    trial.terminate(); // no close frame: a screen that died
    await until('silent on the pages', () => frames.some((f) => f.type === 'screen' && f.id === 'trial-kiosk' && f.status === 'silent'), 10_000);
    expect((await forget('trial-kiosk', VIEW)).status).toBe(403);
    const res = await forget('trial-kiosk', SUP);
    expect([res.status, await res.json()]).toEqual([200, { id: 'trial-kiosk', forgotten: true }]);
    await until('forgotten on the pages', () => frames.some((f) => f.type === 'screen' && f.id === 'trial-kiosk' && f.status === 'forgotten'), 10_000);
    expect((await screens(SUP)).some((s) => s.id === 'trial-kiosk')).toBe(false);
    expect((await forget('trial-kiosk', SUP)).status).toBe(404);
    expect((await forget('no such id!', SUP)).status).toBe(400);
    watcher.close();
  }, 60_000);

  it('a page that closes its link itself is listed as left, not watched for silence', async () => {
    const page = new WebSocket(wsUrl());
    await new Promise((r) => page.once('open', r));
    page.send(JSON.stringify({ type: 'hello', screenId: 'tried-masked', name: '', kiosk: true }));
    await until('the screen listed', async () => (await screens(SUP)).some((s) => s.id === 'tried-masked'), 10_000);
    page.close(1001); // what a browser sends when the page is closed or navigated away
    const left = await until('listed as left', async () => (await screens(SUP)).find((s) => s.id === 'tried-masked' && s.left === true), 10_000);
    expect(left).toMatchObject({ connected: false, left: true });
  }, 60_000);
});

// Audit BB: a `null` frame crashed the monitor; one socket cycling ids filled every ticker with
// made-up silent screens
describe('screens - frames a page should not send', () => {
  it('takes frames that parse to no object without harm, and an id given up on the same socket is left, not silent', async () => {
    const watcher = new WebSocket(wsUrl());
    const frames: Array<Record<string, unknown>> = [];
    watcher.on('message', (d) => frames.push(JSON.parse(String(d))));
    const page = new WebSocket(wsUrl());
    await Promise.all([watcher, page].map((s) => new Promise((r) => s.once('open', r))));
    for (const frame of ['null', '1', '"x"', 'true', '[]']) page.send(frame);
    for (let i = 0; i < 5; i++) page.send(JSON.stringify({ type: 'hello', screenId: `made-up-${i}`, name: `屏${i}`, kiosk: true }));
    await until('the last id listed', async () => (await screens(SUP)).some((s) => s.id === 'made-up-4'), 10_000);
    const given = await screens(SUP);
    for (let i = 0; i < 4; i++) expect(given.find((s) => s.id === `made-up-${i}`)).toMatchObject({ connected: false, left: true });
    // three heartbeats of the wall later: none of them went silent, and the monitor still answers
    const beats = () => frames.filter((f) => f.type === 'heartbeat').length;
    const from = beats();
    await until('three heartbeats', () => beats() >= from + 3, 10_000);
    expect(frames.filter((f) => f.type === 'screen' && String(f.id).startsWith('made-up-') && f.status === 'silent')).toEqual([]);
    expect((await getJson(live.monitor, '/api/health', { headers: { authorization: `Bearer ${SUP}` } })).status).toBe(200);
    for (const s of [watcher, page]) s.close();
  }, 60_000);
});

describe('screens - the wall\'s snapshot form', () => {
  // audit W F4: the full snapshot (every open alert with its whole history) passed 4 MB
  it('a wall page (/ws?view=wall) gets the brief form, with how many alerts are open; a console the full one', async () => {
    const first = async (query: string) => {
      const s = new WebSocket(`${live.monitor.baseUrl.replace('http', 'ws')}/ws?token=${VIEW}${query}`);
      const msg = await new Promise<Record<string, unknown>>((r) => s.once('message', (d) => r(JSON.parse(String(d)))));
      s.close();
      return msg;
    };
    const wall = await first('&view=wall');
    const full = await first('&view=console');
    expect([wall.type, full.type]).toEqual(['snapshot', 'snapshot']);
    expect(wall.alertsOpen).toBe((full.alerts as unknown[]).length);
    expect(full).not.toHaveProperty('alertsOpen');
  }, 60_000);
});
