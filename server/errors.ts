// Typed errors of the server's boundary. Each carries a stable code so logs and HTTP answers can
// be matched without parsing messages.

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** An HTTP answer with a 4xx status and a message meant for the caller. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** more of the answer, beside error and message */
    readonly fields?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, 'BAD_REQUEST', message);
export const notFound = (message: string) => new HttpError(404, 'NOT_FOUND', message);

/** ClickHouse away: connection refused, reset, unreachable. Not a file error or a bug that mentions a timeout. */
const STORE_AWAY = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT)\b|socket hang up/;

/** The answer to a read the store could not serve because it is away: 503, try again; undefined for any other failure. */
export function storeAway(err: unknown): HttpError | undefined {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!STORE_AWAY.test(`${String(e?.code ?? '')} ${String(e?.message ?? '')}`)) return undefined;
  // Chinese first, as the console speaks: pages show the message as it is
  return new HttpError(503, 'STORE_UNAVAILABLE', '数据库（ClickHouse）暂无响应，请稍后重试 · the store (ClickHouse) is not answering; try again shortly');
}
