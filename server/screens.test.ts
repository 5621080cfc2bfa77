import { describe, expect, it } from 'vitest';
import { FORGET_MS, ScreenRegistry, cleanId, cleanName } from './screens.ts';

describe('screens', () => {
  it('screens - a silent screen raises one alert, and a resolved one when it speaks again', () => {
    const r = new ScreenRegistry(60_000);
    r.hello('wall-1', '监控室左屏', '127.0.0.1', false, 0);
    expect(r.sweep(30_000)).toEqual([]);
    r.heartbeat('wall-1', 50_000, 42);
    expect(r.sweep(100_000)).toEqual([]);
    const [a, ...rest] = r.sweep(110_001);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ type: 'alert', kind: 'screen', id: 'screen:wall-1', status: 'open', name: '监控室左屏', lastHeartbeat: 50_000 });
    expect(r.sweep(200_000)).toEqual([]);
    expect(r.heartbeat('wall-1', 210_000).resolved).toMatchObject({ id: 'screen:wall-1', status: 'resolved' });
    expect(r.list()[0]).toMatchObject({ id: 'wall-1', lastSeq: 42, silent: false, connections: 1 });
  });

  it('screens - a disconnected screen that does not return is alerted, then forgotten', () => {
    const r = new ScreenRegistry(10_000);
    r.hello('a', '', '10.0.0.1', true, 0);
    r.disconnected('a', 1000);
    expect(r.list()[0]).toMatchObject({ connections: 0, disconnectedAtMs: 1000, masked: true });
    expect(r.sweep(12_000).map((x) => x.screenId)).toEqual(['a']);
    r.sweep(12_000 + FORGET_MS + 1);
    expect(r.list()).toEqual([]);
  });

  it('screens - only wall screens are watched: named, kiosk or masked; a laptop\'s tab is listed, never alerted', () => {
    const r = new ScreenRegistry(10_000);
    r.hello('tab', '', '10.0.0.9', false, 0);
    r.hello('kiosk', '', '10.0.0.2', false, 0, true);
    r.hello('named', '监控室右屏', '10.0.0.3', false, 0);
    for (const id of ['tab', 'kiosk', 'named']) r.disconnected(id, 1000);
    expect(r.sweep(12_000).map((x) => x.screenId).sort()).toEqual(['kiosk', 'named']);
    expect(r.list().map((e) => [e.id, e.watched])).toEqual([['tab', false], ['kiosk', true], ['named', true]]);
    // the same tab opened again as a named screen is watched from then on
    r.hello('tab', '大厅屏', '10.0.0.9', false, 13_000);
    r.disconnected('tab', 14_000);
    expect(r.sweep(30_000).map((x) => x.screenId)).toEqual(['tab']);
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
