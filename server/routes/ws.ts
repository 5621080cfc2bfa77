import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { authorize } from '../access.ts';
import { HttpError } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { ALL_SCOPE } from '../../pipelines/model.ts';
import { WallboardHub, type Screen } from '../../pipelines/sinks/wallboard.ts';
import type { LiveMessage } from '../../pipelines/sinks/wallboard-core.ts';
import { ScreenRegistry, cleanId, cleanName, screenFrame, type ScreenChange } from '../screens.ts';
import { wallboardConfig, type WallboardConfig } from '../screens-config.ts';
import { toZonedIso } from '../time.ts';
import { headlineView, seriesView, snapshotView, withForecast } from '../views.ts';
import { PROBE_TIMEOUT_MS, pipelineFreshness } from './ws-pipeline.ts';
import { servedBuild } from '../web-build.ts';

// WebSocket /ws: a snapshot (or, with ?since=<seq>&epoch=<id>, the frames the page missed), then
// coalesced counter changes, series after retroactive changes, headline figures, alerts, and a
// heartbeat carrying the pipeline's freshness so a page can tell quiet from dead. At each week
// rollover every counter changes without an event (allowanceToDate steps), so a fresh snapshot
// is broadcast. Screens say hello and heartbeat back; a silent wall screen is a `screen` frame
// (and is listed in every snapshot while it stays silent), not an alert. A client naming no view
// gets what the contract lists (snapshot, counter, alert); our pages name theirs.

/** what the contract's /ws carries after the snapshot */
const CONTRACT_TYPES: ReadonlySet<string> = new Set(['counter', 'alert']);

export interface WallboardRoutes {
  /** wall screens: counter bursts coalesced per cell, flushed a few times a second */
  hub: WallboardHub;
  /** `/ws?live=1`: every change framed as soon as it is durable (consoles, integrations, probes) */
  liveHub: WallboardHub;
  screens: ScreenRegistry;
  config: WallboardConfig;
  /** forgets a screen now and tells every page; false when the server does not know it */
  forgetScreen(id: string): boolean;
}

export function wsRoutes(app: FastifyInstance, monitor: Monitor, now: () => number, config = wallboardConfig()): WallboardRoutes {
  // The plan is read per use: PUT /api/plan swaps it on a running monitor.
  // Two fan-outs of the same changes: a wall screen redraws a few times a second however fast
  // the pipeline runs (issue 4), while a live client gets each change the moment it is durable.
  // Each has its own seq and epoch, so resuming works on either.
  const hub = new WallboardHub({ coalesceMs: config.coalesceMs, ringEntries: config.replayFrames });
  const liveHub = new WallboardHub({ coalesceMs: 0, ringEntries: config.replayFrames });
  const hubs = [hub, liveHub];
  const enqueue = (key: string, message: LiveMessage) => {
    for (const h of hubs) h.enqueue(key, message);
  };
  const broadcast = (messages: LiveMessage[]) => {
    for (const h of hubs) h.broadcast(messages);
  };
  // every screen takes a fresh picture, each in its own form (brief for walls, masked, full)
  const resnapshot = (reason: 'plan' | 'week') => {
    const picture = { ...snapshot(0), reason };
    for (const h of hubs) h.resnapshot(() => picture);
  };
  const screens = new ScreenRegistry(config.screenSilentMs);
  const iso = (ms: number) => toZonedIso(ms, monitor.plan.timezone);
  const snapshot = (seq: number) => ({
    ...snapshotView(monitor.plan, monitor.index, now(), seq, monitor.snapshotAlerts()),
    heartbeatMs: config.heartbeatMs,
    build: servedBuild(), // pages of another version tell they are (server/web-build.ts)
    // the operator's line about the data (DATA_NOTICE: e.g. re-labelled CFPB complaints), on both pages' top bars
    ...(monitor.config.dataNotice ? { dataNotice: monitor.config.dataNotice } : {}),
    pipeline: pipelineView(),
    // a page that connects after a screen went silent sees it too
    screens: screens.silentNow(now()).map((c) => { const { type: _t, ...s } = screenFrame(c, iso); return s; }),
  });
  const headline = () => ({ type: 'headline', ...headlineView(monitor.plan, monitor.index, now(), monitor.alertFacts()) });
  // The headline sums every type and counts every open alert: computed at most once per wall
  // frame (coalesceMs), however many changes and alerts come in between. A flood of new cases had
  // made it quadratic: each new alert re-rendered all the open ones.
  let headlineTimer: NodeJS.Timeout | undefined;
  let lastHeadlineAt = -Infinity;
  const headlineSoon = () => {
    if (headlineTimer) return;
    const wait = Math.max(0, lastHeadlineAt + config.coalesceMs - performance.now());
    headlineTimer = setTimeout(() => {
      headlineTimer = undefined;
      lastHeadlineAt = performance.now();
      enqueue('headline', headline());
    }, wait);
  };

  const sub = monitor.changes.subscribe(({ asOfMs, rows, retroactive }) => {
    const asOf = iso(asOfMs);
    for (const row of rows) enqueue(`counter:${row.complaintType}:${row.scope}`, { type: 'counter', asOf, ...withForecast(monitor.plan, row, asOfMs) });
    if (retroactive) {
      // Past points of the curves moved: resend each touched type's whole column set.
      for (const type of new Set(rows.map((r) => r.complaintType))) {
        enqueue(`series:${type}`, { type: 'series', asOf, ...seriesView(monitor.plan, monitor.index, type, ALL_SCOPE, asOfMs) });
      }
    }
    if (rows.length) headlineSoon();
  });
  const live = monitor.liveMessages.subscribe((message) => {
    broadcast([message]);
    if (message.type === 'alert') headlineSoon();
    // a new plan may rename, add or re-weigh types and branches: screens take the whole picture
    if (message.type === 'plan') resnapshot('plan');
  });

  const { probePipeline, pipelineView } = pipelineFreshness(monitor, now, iso);

  const pushScreen = (c: ScreenChange) => {
    const frame = screenFrame(c, iso);
    const fields = { screenId: c.id, name: c.name, remote: c.remote, status: c.status, lastHeartbeat: frame.lastHeartbeat, silentMs: frame.silentMs };
    if (c.status === 'silent') app.log.warn(fields, 'wall-board screen silent');
    else app.log.info(fields, c.status === 'back' ? 'wall-board screen back' : 'wall-board screen forgotten');
    broadcast([frame]);
  };

  let week = monitor.plan.weekIndexAt(now());
  let ticking = false;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      const probeWaitMs = Math.min(config.heartbeatMs / 2, PROBE_TIMEOUT_MS);
      let gaveUp: NodeJS.Timeout | undefined;
      // a failed probe leaves the last figures, with their age; the heartbeat still goes
      const probed = probePipeline().catch((err: Error) => app.log.warn({ err: err.message }, 'wall-board pipeline probe failed'));
      await Promise.race([probed, new Promise((r) => (gaveUp = setTimeout(r, probeWaitMs)))]).finally(() => clearTimeout(gaveUp));
      const w = monitor.plan.weekIndexAt(now());
      if (w !== week) {
        week = w;
        resnapshot('week');
      }
      broadcast([{ type: 'heartbeat', asOf: iso(now()), heartbeatMs: config.heartbeatMs, pipeline: pipelineView() }]);
      for (const c of screens.sweep(now())) pushScreen(c);
    } finally {
      ticking = false;
    }
  };
  const timer = setInterval(() => void tick().catch((err: Error) => app.log.warn({ err: err.message }, 'wall-board tick failed')), config.heartbeatMs);
  timer.unref();

  app.addHook('onClose', async () => {
    clearInterval(timer);
    clearTimeout(headlineTimer);
    sub.unsubscribe();
    live.unsubscribe();
    for (const h of hubs) h.closeAll();
  });

  // A client naming no view (an integration) is refused at the handshake with the HTTP status,
  // as every other surface is. Our pages are let in and closed with 4401/4403 and the reason: a
  // browser shows a refused handshake as 1006 with no words, which a wall would take for a server
  // that is down and retry for ever.
  const isPage = (q: unknown) => ['wall', 'console'].includes(String((q as Record<string, unknown> | undefined)?.view));
  const preValidation = async (req: FastifyRequest) => {
    if (!isPage(req.query)) authorize(req, monitor.config, 'viewer');
  };
  app.get('/ws', { websocket: true, preValidation }, (socket: WebSocket, req) => {
    try {
      authorize(req, monitor.config, 'viewer');
    } catch (err) {
      const e = err as HttpError;
      // a standby (NOT_COUNTING, server/standby.ts): 1013 "try again later", not a refused token
      socket.close(e.statusCode === 401 ? 4401 : e.statusCode === 503 ? 1013 : 4403, e.message.slice(0, 120));
      return;
    }
    const q = (req.query ?? {}) as Record<string, unknown>;
    const sinceSeq = typeof q.since === 'string' && /^\d{1,15}$/.test(q.since) ? Number(q.since) : undefined;
    const epoch = typeof q.epoch === 'string' ? q.epoch : undefined;
    const masked = q.masked === '1' || q.masked === 'true' || q.masked === '';
    const live = q.live === '1' || q.live === 'true' || q.live === '';
    // a wall-board page: its snapshots without what a wall does not draw (whole alert histories)
    const briefSnapshot = q.view === 'wall';
    // A client that names no view (an integration, an acceptance suite) gets the contract's
    // messages: the snapshot, counters and alerts. Our pages (view=wall, view=console) and
    // live=1 also take heartbeats, series, headlines, plan and screen frames.
    const contractOnly = q.view !== 'wall' && q.view !== 'console' && !live;
    const remote = req.socket.remoteAddress ?? '';
    const screen: Screen = { socket, connectedAtMs: now(), remote, masked, briefSnapshot, wire: req.socket, ...(contractOnly ? { only: CONTRACT_TYPES } : {}) };
    let screenId: string | undefined;

    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary || data.length > 4096) return;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      } catch {
        return; // a screen's bad frame is its problem; the board stays up
      }
      if (msg === null || typeof msg !== 'object') return; // `null`, `1`, `"x"` parse too
      const id = cleanId(msg.screenId);
      if (!id || (msg.type !== 'hello' && msg.type !== 'heartbeat')) return;
      const lastSeq = typeof msg.lastSeq === 'number' ? msg.lastSeq : undefined;
      const changes: ScreenChange[] = [];
      // a screen a supervisor forgot while it was connected comes back with its next heartbeat
      if (msg.type === 'hello' || screenId !== id || !screens.has(id)) {
        // a page that takes another id has left the old one: not a screen gone silent (one socket
        // cycling ids had filled every wall's ticker with made-up silent screens)
        if (screenId && screenId !== id) for (const c of screens.disconnected(screenId, now(), true)) changes.push(c);
        screenId = id;
        for (const c of screens.hello(id, cleanName(msg.name), remote, masked, now(), msg.kiosk === true)) changes.push(c);
      }
      for (const c of screens.heartbeat(id, now(), lastSeq ?? screen.lastSeq)) changes.push(c);
      for (const c of changes) pushScreen(c);
    });
    socket.on('close', (code: number) => {
      // 1000: the page's own close; 1001: the browser unloading the page (closed, navigated away)
      if (screenId) for (const c of screens.disconnected(screenId, now(), code === 1000 || code === 1001)) pushScreen(c);
    });

    // coalescing is for screens that redraw; a client naming no view gets every change as it is
    // durable, as the contract says ("as they change"; audit AC D4, AR R1)
    (live || contractOnly ? liveHub : hub).attach(
      screen,
      { snapshot, resume: () => ({ asOf: iso(now()), heartbeatMs: config.heartbeatMs }) },
      sinceSeq !== undefined && epoch ? { seq: sinceSeq, epoch } : undefined,
    );
  });
  const forgetScreen = (id: string) => {
    const changes = screens.forgetNow(id, now());
    for (const c of changes ?? []) pushScreen(c);
    return changes !== undefined;
  };
  return { hub, liveHub, screens, config, forgetScreen };
}
