// The wall screen's form of a snapshot. A wall shows the latest alerts (the page keeps 50) and the
// furthest ladder step a case reached; it needs no alert's whole history, and the headline
// already counts every open alert. With thousands of open alerts the full snapshot passed 4 MB
// (about 1–3 KB an alert, mostly history) and a screen on an ordinary link never got its first
// picture. Pure: the hub applies it per screen that asks for it (`/ws?view=wall`); consoles and
// integrations keep the full form.

type Json = Record<string, unknown>;

/** As many alerts as the wall-board's ticker keeps (web/src/state.js MAX_ALERTS). */
export const BRIEF_ALERTS = 50;

/** The history lines a wall draws: the case's ladder steps (web/src/ticker.js `ladderStep`). */
const WALL_HISTORY = new Set(['case-escalated']);

/** An alert without the history lines a wall does not draw; `historyLength` says how many it had. */
export function briefAlert(alert: Json): Json {
  if (!Array.isArray(alert.history)) return alert;
  const kept = alert.history.filter((h) => typeof h === 'object' && h !== null && WALL_HISTORY.has(String((h as Json).what)));
  return { ...alert, history: kept, historyLength: alert.history.length };
}

/**
 * A snapshot with its newest BRIEF_ALERTS alerts, each brief, and `alertsOpen`, how many it had
 * in all. Other messages pass unchanged.
 */
export function briefSnapshot(message: Json): Json {
  if (message.type !== 'snapshot' || !Array.isArray(message.alerts)) return message;
  const alerts = message.alerts.slice(0, BRIEF_ALERTS).map((a) => (typeof a === 'object' && a !== null ? briefAlert(a as Json) : a));
  return { ...message, alerts, alertsOpen: message.alerts.length };
}
