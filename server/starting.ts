import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { SECURITY_HEADERS } from './security.ts';
import { toZonedIso } from './time.ts';

// The port answers while the monitor starts. Reading a year of stored events back into the
// counters and re-deriving the year's alerts takes seconds to tens of seconds over millions of
// events (bench/RESULTS.md); until now the port refused connections all that time, so a health
// probe could not tell a starting monitor from a dead one, and an orchestrator's liveness check
// could kill it in the middle of its rebuild. Every request gets 503 with what the monitor is
// doing and a Retry-After; nothing is served from a half-built state, and no data is shown.

export class StartingResponder {
  private phase: string;
  private readonly sinceMs = Date.now();

  private constructor(
    private readonly server: Server,
    phase: string,
    private readonly timeZone: string,
  ) {
    this.phase = phase;
  }

  /** Listens on the monitor's own port and host until close(); times in the plan's zone, as /api/health's. */
  static async listen(port: number, host: string, phase: string, timeZone = 'UTC'): Promise<StartingResponder> {
    const server = createServer();
    const responder = new StartingResponder(server, phase, timeZone);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => responder.answer(req, res));
    server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => responder.refuseUpgrade(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return responder;
  }

  setPhase(phase: string): void {
    this.phase = phase;
  }

  /** What every request is told, as JSON. */
  body(): string {
    return JSON.stringify({ status: 'starting', phase: this.phase, since: toZonedIso(this.sinceMs, this.timeZone), message: 'the monitor is starting; retry shortly' });
  }

  /** Stops listening and drops open connections, so the real server can take the port at once. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** For a browser (a wall screen's kiosk reloading): a page that tries again by itself. */
  page(): string {
    const phase = this.phase.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>监测系统正在启动</title></head>
<body style="background:#0b1220;color:#e5e7eb;font-family:'Noto Sans CJK SC','WenQuanYi Zen Hei','Microsoft YaHei','PingFang SC',sans-serif;display:flex;align-items:center;justify-content:center;height:100vh;margin:0">
<div style="text-align:center"><h1 style="font-weight:500">监测系统正在启动 · The monitor is starting</h1><p>${phase}</p><p>本页每 5 秒自动重试 · this page retries every 5 s</p></div></body></html>`;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    req.resume(); // a body is not read, only drained
    const html = (req.headers.accept ?? '').includes('text/html');
    const body = html ? this.page() : this.body();
    res.writeHead(503, {
      ...SECURITY_HEADERS,
      'content-type': html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'retry-after': '5',
      'cache-control': 'no-store',
      connection: 'close',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** A wall screen's WebSocket: refused the same way; the screen reconnects by itself. */
  private refuseUpgrade(socket: Duplex): void {
    const body = this.body();
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nretry-after: 5\r\nconnection: close\r\n\r\n${body}`,
    );
  }
}
