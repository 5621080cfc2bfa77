// Which wall displays are connected and alive. Each screen says hello when it connects and sends
// a heartbeat every few seconds; a watched screen silent longer than the limit (still connected
// but frozen, or gone and not back) changes its status to `silent` once, and to `back` when it
// returns. Pure bookkeeping with time passed in; the WebSocket route feeds it and pushes the
// changes as `{type:'screen'}` frames.
// A silent screen is a screen's status, not an alert: the contract's alerts are about complaints
// (kinds level and case), stored, acknowledged and escalated; nobody acknowledges a screen, it is
// silent until it is back (audit G: pushed as an alert, it was nowhere else an alert was).

export interface ScreenEntry {
  id: string;
  name: string;
  remote: string;
  connectedAtMs: number;
  lastHeartbeatMs: number;
  /** open connections of this screen id (a reload can overlap the old socket briefly) */
  connections: number;
  lastSeq: number | null;
  masked: boolean;
  /**
   * a wall screen, watched for silence: named (?screen=), in kiosk or in masked mode. A board
   * opened in a laptop's tab is listed but raises nothing when its tab is closed.
   */
  watched: boolean;
  /** silent longer than the limit, and not back since */
  silent: boolean;
  /** when it was found silent: a snapshot says the same as the live frame did */
  silentAtMs?: number;
  disconnectedAtMs: number | null;
  /**
   * the page closed its link itself (unloaded: WebSocket close 1000 or 1001) and has not come
   * back: a screen someone closed, not one that died, so not watched for silence. A trial of
   * ?kiosk or ?masked had been pinned as a silent screen on every wall for a day.
   */
  left?: boolean;
}

/**
 * A change of a watched screen's status: it went `silent`, it is `back`, or a silent screen was
 * `forgotten` (gone for a day, or evicted by newer screens), so pages stop showing it.
 */
export interface ScreenChange {
  id: string;
  name: string;
  /** for the log line only: frames leave it out (screenFrame) */
  remote: string;
  status: 'silent' | 'back' | 'forgotten';
  atMs: number;
  lastHeartbeatMs: number;
}

/**
 * The `{type:'screen'}` frame of a change, and (status `silent`) a silent screen in a snapshot.
 * No network address: a wall has no use for another screen's, and a public one must not get it;
 * whoever has to find the device reads `remote` in GET /api/screens.
 */
export function screenFrame(c: ScreenChange, iso: (ms: number) => string) {
  return { type: 'screen' as const, id: c.id, name: c.name, status: c.status, at: iso(c.atMs), lastHeartbeat: iso(c.lastHeartbeatMs), silentMs: Math.max(0, c.atMs - c.lastHeartbeatMs) };
}

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const MAX_SCREENS = 1000;
/** A disconnected screen is forgotten this long after its last heartbeat or its disconnect, whichever is later. */
export const FORGET_MS = 24 * 3_600_000;

/** A client-chosen id or name: bounded and printable, so nothing odd reaches logs or pages. */
export function cleanId(raw: unknown): string | undefined {
  return typeof raw === 'string' && ID.test(raw) ? raw : undefined;
}
export function cleanName(raw: unknown): string {
  return typeof raw === 'string' ? raw.replace(/[\u0000-\u001f\u007f<>]/g, '').slice(0, 64) : '';
}

export class ScreenRegistry {
  private readonly screens = new Map<string, ScreenEntry>();

  constructor(private readonly silentMs: number) {}

  /** hello (or a heartbeat from a screen the registry does not know yet, e.g. after a restart) */
  hello(id: string, name: string, remote: string, masked: boolean, nowMs: number, kiosk = false): ScreenChange[] {
    const changes: ScreenChange[] = [];
    let e = this.screens.get(id);
    if (!e) {
      if (this.screens.size >= MAX_SCREENS) for (const c of this.evictOldest(nowMs)) changes.push(c);
      if (this.screens.size >= MAX_SCREENS) return changes; // full of screens that matter: not listed
      e = { id, name, remote, connectedAtMs: nowMs, lastHeartbeatMs: nowMs, connections: 0, lastSeq: null, masked, watched: false, silent: false, disconnectedAtMs: null };
      this.screens.set(id, e);
    }
    if (e.connections === 0 || e.disconnectedAtMs !== null) e.connectedAtMs = nowMs;
    e.connections++;
    e.name = name || e.name;
    e.remote = remote;
    e.masked = masked;
    e.watched = kiosk || masked || e.name !== '';
    e.disconnectedAtMs = null;
    e.left = false;
    return [...changes, ...this.beat(e, nowMs)];
  }

  heartbeat(id: string, nowMs: number, lastSeq?: number): ScreenChange[] {
    const e = this.screens.get(id);
    if (!e) return [];
    if (typeof lastSeq === 'number' && Number.isFinite(lastSeq)) e.lastSeq = lastSeq;
    return this.beat(e, nowMs);
  }

  private beat(e: ScreenEntry, nowMs: number): ScreenChange[] {
    e.lastHeartbeatMs = nowMs;
    if (!e.silent) return [];
    e.silent = false;
    return [changeOf(e, 'back', nowMs)];
  }

  /**
   * A connection of the screen closed; `left`: the page closed it itself (unload), so it is not
   * missed. A silent screen that leaves so is no longer shown as silent.
   */
  disconnected(id: string, nowMs: number, left = false): ScreenChange[] {
    const e = this.screens.get(id);
    if (!e) return [];
    e.connections = Math.max(0, e.connections - 1);
    if (e.connections > 0) return [];
    e.disconnectedAtMs = nowMs;
    if (!left) return [];
    e.left = true;
    if (!e.silent) return [];
    e.silent = false;
    return [changeOf(e, 'forgotten', nowMs)];
  }

  has(id: string): boolean {
    return this.screens.has(id);
  }

  /**
   * A supervisor's "forget this screen": a screen someone retired or only tried is dropped now
   * rather than shown as silent for a day. Undefined when the server does not know it.
   */
  forgetNow(id: string, nowMs: number): ScreenChange[] | undefined {
    const e = this.screens.get(id);
    return e ? this.forget(e, nowMs) : undefined;
  }

  setLastSeq(id: string, seq: number): void {
    const e = this.screens.get(id);
    if (e) e.lastSeq = seq;
  }

  /** Marks each watched screen that has just gone silent; forgets long-gone screens. */
  sweep(nowMs: number): ScreenChange[] {
    const out: ScreenChange[] = [];
    for (const e of this.screens.values()) {
      if (e.disconnectedAtMs !== null && nowMs - Math.max(e.disconnectedAtMs, e.lastHeartbeatMs) > FORGET_MS) {
        for (const c of this.forget(e, nowMs)) out.push(c);
        continue;
      }
      if (e.watched && !e.left && !e.silent && nowMs - e.lastHeartbeatMs > this.silentMs) {
        e.silent = true;
        e.silentAtMs = nowMs;
        out.push(changeOf(e, 'silent', nowMs));
      }
    }
    return out;
  }

  list(): ScreenEntry[] {
    return [...this.screens.values()].map((e) => ({ ...e }));
  }

  /** The screens silent now, as a snapshot lists them for a page that connects later. */
  silentNow(nowMs: number): ScreenChange[] {
    return [...this.screens.values()].filter((e) => e.silent).map((e) => changeOf(e, 'silent', e.silentAtMs ?? nowMs));
  }

  /** Pages show silent screens until told otherwise: forgetting one is a change too. */
  private forget(e: ScreenEntry, nowMs: number): ScreenChange[] {
    this.screens.delete(e.id);
    return e.silent ? [changeOf(e, 'forgotten', nowMs)] : [];
  }

  /**
   * Room for one more: the disconnected screen least missed goes, first one that left or is not
   * watched, oldest first. A watched screen gone silent is never made room for: it is what the
   * room must see (a flood of made-up ids from one wall's token had pushed real ones out).
   */
  private evictOldest(nowMs: number): ScreenChange[] {
    let oldest: ScreenEntry | undefined;
    for (const e of this.screens.values()) {
      if (e.connections > 0 || (e.watched && !e.left)) continue;
      if (!oldest || e.lastHeartbeatMs < oldest.lastHeartbeatMs) oldest = e;
    }
    return oldest ? this.forget(oldest, nowMs) : [];
  }
}

const changeOf = (e: ScreenEntry, status: ScreenChange['status'], atMs: number): ScreenChange => ({ id: e.id, name: e.name, remote: e.remote, status, atMs, lastHeartbeatMs: e.lastHeartbeatMs });
