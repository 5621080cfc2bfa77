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
