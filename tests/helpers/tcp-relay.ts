import { createServer, connect as tcpConnect, type Socket } from 'node:net';

/**
 * A plain TCP relay on a fixed port to a target that may move: a page keeps one URL while the
 * process behind it restarts on another port, as a wall display keeps the address it knows.
 */
export interface TcpRelay {
  port: number;
  /** where new connections go from now on */
  target: number;
  /** while true, new connections are dropped at once (a line that is down) */
  down: boolean;
  /**
   * while true, what clients send is dropped and what the target sends still arrives: a link
   * that swallows one way (the client's publishes, acks and pings never reach the target)
   */
  swallow: boolean;
  /** drops the open connections without a word (no WebSocket close frame reaches either side) */
  cut(): void;
  close(): void;
}

export async function startTcpRelay(target: number): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (relay.down) return void client.destroy();
    const upstream = tcpConnect(relay.target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (bytes: Buffer) => void (relay.swallow || upstream.write(bytes)));
    upstream.pipe(client);
  });
  const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
  const relay: TcpRelay = {
    port,
    target,
    down: false,
    swallow: false,
    cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
  return relay;
}
