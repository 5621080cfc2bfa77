// Which wall displays are connected and alive. Each screen says hello when it connects and sends
// a heartbeat every few seconds; a screen silent longer than the limit (still connected but
// frozen, or gone and not back) raises a `screen` alert once, and a `resolved` one when it
// returns. Pure bookkeeping with time passed in; the WebSocket route feeds it.

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
  /** a silence alert is open for it */
  silent: boolean;
  disconnectedAtMs: number | null;
}

export interface ScreenAlert {
  type: 'alert';
  id: string;
  kind: 'screen';
  complaintType: null;
  scope: null;
  level: 'watch';
  status: 'open' | 'resolved';
  screenId: string;
  name: string;
  remote: string;
  openedAt: number;
  lastHeartbeat: number;
  silentMs: number;
}

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const MAX_SCREENS = 1000;
/** A disconnected screen is forgotten this long after its alert (or its disconnect, if none). */
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
  hello(id: string, name: string, remote: string, masked: boolean, nowMs: number, kiosk = false): { resolved?: ScreenAlert } {
    let e = this.screens.get(id);
    if (!e) {
      if (this.screens.size >= MAX_SCREENS) this.evictOldest();
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
    return this.beat(e, nowMs);
  }

  heartbeat(id: string, nowMs: number, lastSeq?: number): { resolved?: ScreenAlert } {
    const e = this.screens.get(id);
    if (!e) return {};
    if (typeof lastSeq === 'number' && Number.isFinite(lastSeq)) e.lastSeq = lastSeq;
    return this.beat(e, nowMs);
  }

  private beat(e: ScreenEntry, nowMs: number): { resolved?: ScreenAlert } {
    e.lastHeartbeatMs = nowMs;
    if (!e.silent) return {};
    e.silent = false;
    return { resolved: this.alertOf(e, 'resolved', nowMs) };
  }

  disconnected(id: string, nowMs: number): void {
    const e = this.screens.get(id);
    if (!e) return;
    e.connections = Math.max(0, e.connections - 1);
    if (e.connections === 0) e.disconnectedAtMs = nowMs;
  }

  setLastSeq(id: string, seq: number): void {
    const e = this.screens.get(id);
    if (e) e.lastSeq = seq;
  }

  /** Opens one alert per screen that has just gone silent; forgets long-gone screens. */
  sweep(nowMs: number): ScreenAlert[] {
    const out: ScreenAlert[] = [];
    for (const e of this.screens.values()) {
      if (e.disconnectedAtMs !== null && nowMs - Math.max(e.disconnectedAtMs, e.lastHeartbeatMs) > FORGET_MS) {
        this.screens.delete(e.id);
        continue;
      }
      if (e.watched && !e.silent && nowMs - e.lastHeartbeatMs > this.silentMs) {
        e.silent = true;
        out.push(this.alertOf(e, 'open', nowMs));
      }
    }
    return out;
  }

  list(): ScreenEntry[] {
    return [...this.screens.values()].map((e) => ({ ...e }));
  }

  private alertOf(e: ScreenEntry, status: 'open' | 'resolved', nowMs: number): ScreenAlert {
    return {
      type: 'alert',
      id: `screen:${e.id}`,
      kind: 'screen',
      complaintType: null,
      scope: null,
      level: 'watch',
      status,
      screenId: e.id,
      name: e.name,
      remote: e.remote,
      openedAt: status === 'open' ? nowMs : e.lastHeartbeatMs,
      lastHeartbeat: e.lastHeartbeatMs,
      silentMs: nowMs - e.lastHeartbeatMs,
    };
  }

  private evictOldest(): void {
    let oldest: ScreenEntry | undefined;
    for (const e of this.screens.values()) {
      if (e.connections > 0) continue;
      if (!oldest || e.lastHeartbeatMs < oldest.lastHeartbeatMs) oldest = e;
    }
    if (oldest) this.screens.delete(oldest.id);
  }
}
