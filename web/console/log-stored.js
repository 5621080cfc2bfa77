// After an action answered 503 ALERT_LOG_UNAVAILABLE the console says it is not stored yet. That
// line stayed after the monitor wrote the kept rows: the page now asks
// /api/health until no alert log row waits, and then says the action is stored. A monitor
// started again meanwhile is another run (`startedAt`): an action it had kept on disk is written
// by the new run (its rows wait until then); one the disk refused too may be lost:
// the page says so and sends the person to the history, since a later retry may have kept it.

/**
 * Calls `stored` once /api/health reports no alert log row waiting, or `lost` (maybe) when the monitor
 * that answered (`answer.monitorStartedAt`) was started again and had not kept the action on
 * disk; returns a function that stops asking.
 */
export function whenAlertLogStored(api, answer, { stored, lost }, everyMs = 3000) {
  let stopped = false;
  const ask = async () => {
    if (stopped) return;
    try {
      const health = await api('/api/health');
      const restarted = answer.monitorStartedAt !== undefined && health.startedAt !== answer.monitorStartedAt;
      // an earlier version put back (it says nothing of these rows, and does not read the kept ones)
      if (health.alertLog === undefined) return lost();
      if (restarted && !answer.keptOnDisk) return lost();
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
