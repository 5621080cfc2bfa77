// The console pages' way to the monitor: the token from the page's ?token= (never stored) on
// every request, and the server's own message when it refuses.

const token = new URLSearchParams(location.search).get('token') ?? '';

/** A path with the page's token appended. */
export const withToken = (path) => `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;

/** GET, or POST with a JSON body; throws the server's message on a refusal. */
export async function api(path, body) {
  const res = await fetch(withToken(path), body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.message ?? `HTTP ${res.status}`);
  return json;
}

/** correction (as sent) → the id it was first sent with, until an answer says it was taken */
const correctionIds = new Map();

/** corr- and 32 hex digits; crypto.randomUUID needs a secure context, which a wall's http:// page is not */
function newCorrectionId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `corr-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * POST /api/corrections. The same correction sent again after an unanswered try (the broker
 * hung: the monitor cannot tell whether it was taken) goes with the same id, so that it counts
 * once whatever happened the first time.
 */
export async function sendCorrection(body) {
  const key = JSON.stringify(body);
  const eventId = correctionIds.get(key) ?? newCorrectionId();
  correctionIds.set(key, eventId);
  const answer = await api('/api/corrections', { ...body, eventId });
  correctionIds.delete(key);
  return answer;
}
