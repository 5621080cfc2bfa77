// The console pages' way to the monitor: the token from the page's ?token= (never stored) on
// every request, and the server's own message when it refuses.

const token = new URLSearchParams(location.search).get('token') ?? '';

/** A path with the page's token appended. */
export const withToken = (path) => `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;

/** GET, or POST with a JSON body; throws the server's message on a refusal. */
export async function api(path, body) {
  const res = await fetch(withToken(path), body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(json.message ?? `HTTP ${res.status}`), { code: json.error, answer: json });
  return json;
}

/** ticket → the correction last sent for it whose outcome is unknown, with its id, for 10 minutes;
 *  kept in the tab's sessionStorage, so that a reloaded page sends it again with the same id */
const UNCONFIRMED_KEY = 'console.unconfirmedCorrections';
const unconfirmed = new Map(readUnconfirmed());

function readUnconfirmed() {
  try {
    return JSON.parse(sessionStorage.getItem(UNCONFIRMED_KEY) ?? '[]');
  } catch {
    return [];
  }
}

function keepUnconfirmed() {
  try {
    sessionStorage.setItem(UNCONFIRMED_KEY, JSON.stringify([...unconfirmed]));
  } catch {
    // storage refused (private mode, full): the ids live as long as the page
  }
}
const UNCONFIRMED_KEEP_MS = 10 * 60_000;

/** corr- and 32 hex digits; crypto.randomUUID needs a secure context, which a wall's http:// page is not */
function newCorrectionId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `corr-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * POST /api/corrections. A correction whose try got no answer (the broker hung: the monitor
 * cannot tell whether it was taken), sent again as it was, goes with the same id, so that it
 * counts once whatever happened. Only then: the id is the ticket's last unanswered correction's,
 * and it is forgotten once a correction of the ticket is taken, so the same correction made again
 * later is a new one: it would be folded into the first and silently dropped.
 */
export async function sendCorrection(body) {
  const key = JSON.stringify(body);
  const last = unconfirmed.get(body.ticketId);
  const again = last !== undefined && last.key === key && Date.now() - last.atMs < UNCONFIRMED_KEEP_MS;
  const eventId = again ? last.eventId : newCorrectionId();
  try {
    const answer = await api('/api/corrections', { ...body, eventId });
    if (unconfirmed.delete(body.ticketId)) keepUnconfirmed();
    return answer;
  } catch (err) {
    if (err.code !== 'NATS_PUBLISH_UNCONFIRMED') throw err;
    unconfirmed.set(body.ticketId, { key, eventId, atMs: again ? last.atMs : Date.now() });
    keepUnconfirmed();
    // the server's words tell an API caller to send the id; the page does that itself
    throw Object.assign(new Error(`消息服务器未应答：此更正可能已被接收（编号 ${eventId}）。再次提交同一更正即可，只计一次 — no answer from the broker: the correction may have been taken; submit the same correction again, it counts once`), { code: err.code, eventId });
  }
}
