import pino from 'pino';

// The process's logger. Pages and /ws carry their token in the query string (`?token=`), and
// fastify logs every request's URL: without this, each wall screen's reconnect and each console
// request would write a display or supervisor token into the log in clear.

const REDACTED = '[redacted]';

/** A request URL as it may be logged: the value of every `token` parameter replaced. */
export function urlForLog(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    return isTokenKey(key) ? `${key}=${REDACTED}` : pair;
  });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function isTokenKey(key: string): boolean {
  try {
    // the query parser decodes names, so `%74oken` and `token+` authenticate too
    return decodeURIComponent(key.replace(/\+/g, ' ')).trim().toLowerCase() === 'token';
  } catch {
    return true; // undecodable: not worth the risk
  }
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** The process's logger; a destination other than stdout for tests. */
export function createLog(destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    name: 'monitor',
    redact: ['req.headers.authorization'],
    serializers: {
      // fastify's own request serializer, with the URL's token taken out
      req: (req: LoggedRequest) => ({ method: req.method, url: urlForLog(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
