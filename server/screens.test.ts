import { describe, expect, it } from 'vitest';
import { FORGET_MS, MAX_SCREENS, ScreenRegistry, cleanId, cleanName, screenFrame } from './screens.ts';

describe('screens', () => {
  it('screens - a silent screen changes its status to silent once, and to back when it speaks again', () => {
    const r = new ScreenRegistry(60_000);
    r.hello('wall-1', '监控室左屏', '127.0.0.1', false, 0);
    expect(r.sweep(30_000)).toEqual([]);
    r.heartbeat('wall-1', 50_000, 42);
    expect(r.sweep(100_000)).toEqual([]);
    const [a, ...rest] = r.sweep(110_001);
    expect(rest).toEqual([]);
    expect(a).toEqual({ id: 'wall-1', name: '监控室左屏', remote: '127.0.0.1', status: 'silent', atMs: 110_001, lastHeartbeatMs: 50_000 });
    expect(r.sweep(200_000)).toEqual([]);
    expect(r.heartbeat('wall-1', 210_000)).toEqual([{ id: 'wall-1', name: '监控室左屏', remote: '127.0.0.1', status: 'back', atMs: 210_000, lastHeartbeatMs: 210_000 }]);
    expect(r.heartbeat('wall-1', 211_000)).toEqual([]);
    expect(r.list()[0]).toMatchObject({ id: 'wall-1', lastSeq: 42, silent: false, connections: 1 });
  });

  it('screens - a disconnected screen that does not return is silent, then forgotten, and pages are told', () => {
    const r = new ScreenRegistry(10_000);
    r.hello('a', '', '10.0.0.1', true, 0);
    r.disconnected('a', 1000);
    expect(r.list()[0]).toMatchObject({ connections: 0, disconnectedAtMs: 1000, masked: true });
    expect(r.sweep(12_000).map((x) => [x.id, x.status])).toEqual([['a', 'silent']]);
    expect(r.sweep(12_000 + FORGET_MS + 1).map((x) => [x.id, x.status])).toEqual([['a', 'forgotten']]);
    expect(r.list()).toEqual([]);
    expect(r.silentNow(12_000 + FORGET_MS + 2)).toEqual([]);
  });

  // audit V F9: a kiosk or masked page opened once to try it was pinned as silent for a day
  it('screens - a page that closed its link itself is not missed; one that died is', () => {
    const r = new ScreenRegistry(10_000);
    r.hello('tried', '', '10.0.0.1', false, 0, true);
    r.hello('died', '', '10.0.0.2', false, 0, true);
    expect(r.disconnected('tried', 1000, true)).toEqual([]);
    r.disconnected('died', 1000);
    expect(r.sweep(20_000).map((x) => [x.id, x.status])).toEqual([['died', 'silent']]);
    expect(r.list().find((e) => e.id === 'tried')).toMatchObject({ left: true, silent: false, connections: 0 });
    // it comes back: watched again
    r.hello('tried', '', '10.0.0.1', false, 30_000, true);
    r.disconnected('tried', 31_000);
    expect(r.sweep(50_000).map((x) => [x.id, x.status])).toEqual([['tried', 'silent']]);
  });

  it('screens - a silent screen that then closes its link itself is no longer shown as silent', () => {
    const r = new ScreenRegistry(10_000);
    r.hello('frozen', 'lobby', '10.0.0.1', false, 0);
    expect(r.sweep(20_000).map((x) => x.status)).toEqual(['silent']);
    expect(r.disconnected('frozen', 21_000, true).map((x) => [x.id, x.status])).toEqual([['frozen', 'forgotten']]);
    expect(r.silentNow(22_000)).toEqual([]);
  });

  it('screens - a supervisor forgets a screen now: pages are told when it was shown as silent', () => {
    const r = new ScreenRegistry(10_000);
    r.hello('gone', 'old wall', '10.0.0.1', false, 0);
    r.hello('quiet', '', '10.0.0.2', false, 0);
    r.disconnected('gone', 1000);
    r.sweep(20_000);
    expect(r.forgetNow('gone', 21_000)?.map((x) => [x.id, x.status])).toEqual([['gone', 'forgotten']]);
    expect(r.forgetNow('quiet', 21_000)).toEqual([]);
    expect(r.forgetNow('nobody', 21_000)).toBeUndefined();
    expect(r.list()).toEqual([]);
    expect(r.has('gone')).toBe(false);
  });

  it('screens - only wall screens are watched: named, kiosk or masked; a laptop\'s tab is listed, never alerted', () => {
    const r = new ScreenRegistry(10_000);
    r.hello('tab', '', '10.0.0.9', false, 0);
    r.hello('kiosk', '', '10.0.0.2', false, 0, true);
    r.hello('named', '监控室右屏', '10.0.0.3', false, 0);
    for (const id of ['tab', 'kiosk', 'named']) r.disconnected(id, 1000);
    expect(r.sweep(12_000).map((x) => x.id).sort()).toEqual(['kiosk', 'named']);
    expect(r.list().map((e) => [e.id, e.watched])).toEqual([['tab', false], ['kiosk', true], ['named', true]]);
    // the same tab opened again as a named screen is watched from then on
    r.hello('tab', '大厅屏', '10.0.0.9', false, 13_000);
    r.disconnected('tab', 14_000);
    expect(r.sweep(30_000).map((x) => x.id)).toEqual(['tab']);
  });

  // Audit G: a silent screen was pushed as an alert that GET /api/alerts, the next snapshot and
  // the ack route did not know, carrying another screen's network address.
  it('screens - the silent screens are there for a later snapshot; a frame names the screen, never its address', () => {
    const r = new ScreenRegistry(10_000);
    r.hello('lobby-1', '大堂屏', '192.168.7.21', false, 0, true);
    r.hello('wall-2', '', '192.168.7.22', false, 0, true);
    r.heartbeat('wall-2', 9_000);
    expect(r.silentNow(5_000)).toEqual([]);
    const [went] = r.sweep(12_000);
    expect(r.silentNow(15_000)).toEqual([{ id: 'lobby-1', name: '大堂屏', remote: '192.168.7.21', status: 'silent', atMs: 12_000, lastHeartbeatMs: 0 }]); // when it went silent, as the live frame said (audit Q)
    const iso = (ms: number) => `t${ms}`;
    expect(screenFrame(went!, iso)).toEqual({ type: 'screen', id: 'lobby-1', name: '大堂屏', status: 'silent', at: 't12000', lastHeartbeat: 't0', silentMs: 12_000 });
    expect(JSON.stringify(screenFrame(went!, iso))).not.toContain('192.168');
    r.heartbeat('lobby-1', 16_000);
    expect(r.silentNow(17_000)).toEqual([]);
  });

  // A flood of made-up ids from one wall's token pushed a real silent screen off every board
  it('screens - a full registry makes room with a screen that left or is not watched, never with a silent wall', () => {
    const r = new ScreenRegistry(10);
    r.hello('old', 'x', '', false, 0, true);
    r.disconnected('old', 1);
    r.sweep(100);
    for (let i = 1; i < MAX_SCREENS; i++) r.hello(`s${i}`, '', '', false, 200);
    expect(r.hello('one-more', '', '', false, 300)).toEqual([]); // every other screen is connected
    expect(r.has('one-more')).toBe(false);
    expect(r.silentNow(300).map((c) => c.id)).toEqual(['old']);
    r.disconnected('s1', 400); // an unwatched screen gone: that one makes room
    expect(r.hello('one-more', '', '', false, 500)).toEqual([]);
    expect([r.has('one-more'), r.has('s1'), r.has('old')]).toEqual([true, false, true]);
  });

  it('screens - a screen that left its page makes room', () => {
    const r = new ScreenRegistry(10);
    r.hello('old', 'x', '', false, 0, true);
    r.disconnected('old', 1);
    r.sweep(100);
    r.disconnected('old', 150, true); // it went away on purpose after being missed
    for (let i = 1; i < MAX_SCREENS; i++) r.hello(`s${i}`, '', '', false, 200);
    r.hello('old', 'x', '', false, 250, true);
    r.disconnected('old', 260, true);
    expect(r.hello('one-more', '', '', false, 300)).toEqual([]);
    expect(r.has('old')).toBe(false);
  });

  it('screens - ids and names from the page are bounded and printable', () => {
    expect(cleanId('wall-1:a.b_c')).toBe('wall-1:a.b_c');
    expect(cleanId('x y')).toBeUndefined();
    expect(cleanId('x'.repeat(65))).toBeUndefined();
    expect(cleanId(5)).toBeUndefined();
    expect(cleanName('<b>大屏\n</b>')).toBe('b大屏/b');
    expect(cleanName('n'.repeat(100))).toHaveLength(64);
  });
});
