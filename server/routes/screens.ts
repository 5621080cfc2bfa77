import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import { HttpError } from '../errors.ts';
import { cleanId } from '../screens.ts';
import type { Monitor } from '../monitor.ts';
import { toZonedIso } from '../time.ts';
import { readQuery } from './query.ts';
import type { WallboardRoutes } from './ws.ts';

// GET /api/screens: the wall displays the server knows — connected, or silent (a status, not an alert) —
// with their last heartbeat and the last seq the server sent each; plus the fan-out figures.
// DELETE /api/screens/:id (supervisor, admin): forget a screen now — one retired or only tried —
// instead of showing it as silent on every wall and console for a day.

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
        /** the page closed its link itself (unloaded): not missed */
        left: e.left === true,
      })),
    };
  });
  app.delete('/api/screens/:id', async (req) => {
    authorize(req, monitor.config, 'supervisor');
    const id = cleanId((req.params as { id?: unknown }).id);
    if (!id) throw new HttpError(400, 'BAD_SCREEN_ID', 'a screen id is 1–64 letters, digits and _ . : -');
    if (!wall.forgetScreen(id)) throw new HttpError(404, 'SCREEN_NOT_FOUND', `no screen ${id} is known`);
    app.log.info({ screenId: id }, 'wall-board screen forgotten by request');
    return { id, forgotten: true };
  });
}
