// After an action answered 503 ALERT_LOG_UNAVAILABLE the console says it is not stored yet. That
// line stayed after the monitor wrote the kept rows (verify AK K4): the page now asks
// /api/health until no alert log row waits, and then says the action is stored.

/** Calls `stored` once /api/health reports no alert log row waiting; returns a function that stops asking. */
export function whenAlertLogStored(api, stored, everyMs = 3000) {
  let stopped = false;
  const ask = async () => {
    if (stopped) return;
    try {
      const health = await api('/api/health');
      if ((health.alertLog?.rowsWaiting ?? 0) === 0) return stored();
    } catch {
      // unreachable, or 503 while the monitor starts again: asked again
    }
    setTimeout(ask, everyMs);
  };
  setTimeout(ask, everyMs);
  return () => {
    stopped = true;
  };
}
