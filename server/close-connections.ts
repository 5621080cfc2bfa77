import type { FastifyInstance } from 'fastify';

// At a stop, app.close() waits for every connection to end. Those idle at that moment are closed
// (Node's server.close() closes idle connections since v19; fastify's forceCloseConnections,
// 'idle' by default, only calls it itself with a serverFactory), but a request still in flight
// then kept its keep-alive connection open after its answer: browsers and fetch hold one for
// seconds, and the stop waited its 10 s for them (verify CV1), Docker's whole grace period.
// So an answer sent once the close began says `Connection: close`: Node ends the connection
// after it, and the close completes as soon as the last answer is out.

/** Every answer sent after the app began to close ends its connection. */
export function endConnectionsOnceClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
