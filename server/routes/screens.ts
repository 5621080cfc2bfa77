import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import type { Monitor } from '../monitor.ts';
import { toZonedIso } from '../time.ts';
import { readQuery } from './query.ts';
import type { WallboardRoutes } from './ws.ts';

// GET /api/screens: the wall displays the server knows — connected, or silent (a status, not an alert) —
// with their last heartbeat and the last seq the server sent each; plus the fan-out figures.

export function screenRoutes(app: FastifyInstance, monitor: Monitor, wall: WallboardRoutes): void {
  const iso = (ms: number | null) => (ms === null ? null : toZonedIso(ms, monitor.plan.timezone));
  app.get('/api/screens', async (req) => {
    const access = authorize(req, monitor.config, 'viewer');
    readQuery(req.query, []);
    // a screen's network address is for whoever must find the device (a supervisor, an admin, the
    // machine's own user in open local mode), not for the viewer token a wall carries in its URL
    const seesAddresses = access.role !== 'viewer';
    return {
      silentAfterMs: wall.config.screenSilentMs,
      hub: wall.hub.stats(),
      liveHub: wall.liveHub.stats(),
      screens: wall.screens.list().map((e) => ({
        id: e.id,
        name: e.name,
        ...(seesAddresses ? { remote: e.remote } : {}),
        connected: e.connections > 0,
        connectedAt: iso(e.connectedAtMs),
        lastHeartbeat: iso(e.lastHeartbeatMs),
        lastSeq: e.lastSeq,
        masked: e.masked,
        /** a wall screen, watched for silence (named, kiosk or masked), as docs/WALLBOARD.md says */
        watched: e.watched,
        silent: e.silent,
        disconnectedAt: iso(e.disconnectedAtMs),
      })),
    };
  });
}
