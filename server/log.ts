import pino from 'pino';
import { maskText } from '../pipelines/transforms/mask-text.ts';

// The process's logger. Pages and /ws carry their token in the query string (`?token=`), and
// fastify logs every request's URL: without this, each wall screen's reconnect and each console
// request would write a display or supervisor token into the log in clear. A URL may also carry
// personal data a caller put in it (?scope=13912345670, an alert id made of a ticket number,
// an e-mail address as a filter): masked as free text is (audit CI C5).

const REDACTED = '[redacted]';

/** A request URL as it may be logged: the value of every `token` parameter replaced, personal
 *  numbers and e-mail addresses in the path and the parameters masked. */
export function urlForLog(url: string): string {
  const q = url.indexOf('?');
  const path = maskUrlPart(q < 0 ? url : url.slice(0, q), encodeURI, false);
  if (q < 0) return path;
  const params = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (isTokenKey(key)) return `${key}=${REDACTED}`;
    return eq < 0 ? maskUrlPart(pair, encodeURIComponent, true) : `${maskUrlPart(key, encodeURIComponent, true)}=${maskUrlPart(pair.slice(eq + 1), encodeURIComponent, true)}`;
  });
  return `${path}?${params.join('&')}`;
}

/** A piece of a URL masked as it reads decoded (139%201234%205670 is a phone number), else as
 *  it reads as sent (%A13912345670 decodes to a letter and ten digits, yet a reader of the log
 *  sees the phone number); kept as sent when there is nothing to mask in it. */
function maskUrlPart(part: string, encode: (s: string) => string, query: boolean): string {
  let text: string | undefined;
  try {
    text = decodeURIComponent(query ? part.replace(/\+/g, ' ') : part);
  } catch {
    text = undefined; // not decodable: read as sent
  }
  const masked = text === undefined ? text : maskText(text);
  return masked !== text ? encode(masked!) : maskText(part);
}

/**
 * fastify's genReqId: a caller's x-request-id is taken (logged in every line of the request and
 * echoed in the answer) only when it holds nothing masking would change, else the request gets
 * an id of ours, as one without the header does: someone's phone number or e-mail address must
 * not become a log field, and echoing it would tell the caller it was kept.
 */
export function requestIds(): (req: { headers: Record<string, string | string[] | undefined> }) => string {
  let n = 0;
  return (req) => {
    const given = req.headers['x-request-id'];
    if (typeof given === 'string' && given.length > 0 && given.length <= MAX_REQUEST_ID && maskText(given) === given) return given;
    n = (n + 1) & 0x7fffffff; // fastify's own form: req-1, req-2, …
    return `req-${n.toString(36)}`;
  };
}
const MAX_REQUEST_ID = 200;

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
      // fastify's own request serializer, with the URL's token taken out and its personal data masked
      req: (req: LoggedRequest) => ({ method: req.method, url: urlForLog(req.url), host: req.host === undefined ? undefined : maskText(req.host), remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
