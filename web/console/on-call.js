// When an unacknowledged alert climbs to the next on-call level, from the alert's `onCall`
// (level, round, since) and the plan's ladder (`plan.onCall` in the snapshot): the same walk as
// the server's (pipelines/rules/lifecycle.ts escalationDue), so the console says the time the
// server will act at. The server's own escalation then arrives as an alert update.

/**
 * The next climb of an open alert: `{ atMs, level, round, notify }` (level counted from 1), or
 * null when nothing is due (acknowledged, resolved, the ladder walked to its end, no ladder).
 */
export function nextClimb(alert, ladder) {
  if (alert?.status !== 'open' || !ladder?.levels?.length || !alert.onCall?.since) return null;
  const index = (alert.onCall.level ?? 1) - 1;
  const current = ladder.levels[index];
  const sinceMs = Date.parse(alert.onCall.since);
  if (!current || !Number.isFinite(sinceMs)) return null;
  let level = index + 1;
  let round = alert.onCall.round ?? 0;
  if (level >= ladder.levels.length) {
    if (round >= (ladder.repeat ?? 0)) return null;
    level = 0;
    round++;
  }
  return { atMs: sinceMs + current.afterMinutes * 60_000, level: level + 1, round, notify: ladder.levels[level].notify ?? [] };
}
