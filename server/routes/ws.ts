import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { authorize } from '../access.ts';
import { HttpError } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { WallboardHub } from '../../pipelines/sinks/wallboard.ts';
import { toZonedIso } from '../time.ts';
import { snapshotView } from '../views.ts';

// WebSocket /ws: a snapshot on connect, then one message per changed counter.

export function wsRoutes(app: FastifyInstance, monitor: Monitor, now: () => number): WallboardHub {
  const hub = new WallboardHub();
  const sub = monitor.changes.subscribe(({ asOfMs, rows }) => {
    const asOf = toZonedIso(asOfMs, monitor.plan.timezone);
    hub.broadcast(rows.map((row) => ({ type: 'counter', asOf, ...row })));
  });
  const live = monitor.liveMessages.subscribe((message) => hub.broadcast([message]));
  app.addHook('onClose', async () => {
    sub.unsubscribe();
    live.unsubscribe();
    hub.closeAll();
  });

  app.get('/ws', { websocket: true }, (socket: WebSocket, req) => {
    try {
      authorize(req, monitor.config, 'viewer');
    } catch (err) {
      const e = err as HttpError;
      socket.close(e.statusCode === 401 ? 4401 : 4403, e.message.slice(0, 120));
      return;
    }
    hub.attach({ socket, connectedAtMs: now(), remote: req.socket.remoteAddress ?? '' }, (seq) =>
      snapshotView(monitor.plan, monitor.index, now(), seq, monitor.snapshotAlerts()),
    );
  });
  return hub;
}
