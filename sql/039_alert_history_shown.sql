-- The alert history as the monitor shows it (GET /api/alerts), not every row ever written (audit
-- CC F2). A re-derivation replaces an alert's rule lines as a whole, and the lines it takes back
-- stay in alert_log where they were written (docs/ALERTS.md, "Arrival order"): counted from the
-- rows, one alert was "opened" two and three times, in weeks it was not, and differently in
-- embedded and server mode. So, as the monitor restores its alerts (server/alerts/store.ts
-- loadRecords): an alert's rule lines are those of its latest snapshot (argMax(snapshot,
-- (logged_at, seq))), each with the status and level of its own row; its other lines (people's
-- actions, notices, on-call steps, amended, withdrawn, reopened) are their own rows.
-- A rule line: no `by`, and `what` one of pipelines/rules/derived-lines.ts DERIVED_WHATS (a test
-- holds the two lists together).
-- A rule line's `level` is the line's own (the level it opened, rose or aged to); a back-fill or a
-- re-derivation writes an alert's rule lines in one batch, each row with the alert's level then
-- (verify CG G1: rises to critical counted twice, no case opened as new). Other lines keep their row's.
-- raised_at: when the monitor first raised the alert (the snapshot's raisedAtMs), the wall clock
-- the on-call ladder runs from; a rule line's `at` is the events' time, a person's the wall clock.
-- `week` is UInt8 (a number in JSON).

CREATE OR REPLACE VIEW complaints.v_alert_history AS
WITH latest AS
(
    SELECT plan_year, alert_id, argMax(snapshot, (logged_at, seq)) AS snapshot,
           fromUnixTimestamp64Milli(JSONExtract(snapshot, 'raisedAtMs', 'Int64'), 'UTC') AS raised_at,
           CAST(argMax(kind, (logged_at, seq)) AS String)           AS kind,
           CAST(argMax(complaint_type, (logged_at, seq)) AS String) AS complaint_type,
           CAST(argMax(scope, (logged_at, seq)) AS String)          AS scope,
           argMax(ticket_id, (logged_at, seq))                      AS ticket_id,
           CAST(argMax(status, (logged_at, seq)) AS String)         AS status,
           CAST(argMax(level, (logged_at, seq)) AS String)          AS level
    FROM complaints.alert_log
    GROUP BY plan_year, alert_id
)
SELECT
    at,
    toDate(at, 'Asia/Shanghai')                                                   AS local_date,
    toYear(local_date)                                                            AS year,
    toUInt8(toRelativeWeekNum(local_date) - toRelativeWeekNum(toStartOfYear(local_date)) + 1) AS week,
    plan_year,
    alert_id,
    kind,
    complaint_type,
    scope,
    ticket_id,
    what,
    actor,
    status,
    level,
    reason,
    raised_at
FROM
(
    SELECT s.plan_year AS plan_year, s.alert_id AS alert_id, s.kind AS kind, s.complaint_type AS complaint_type,
           s.scope AS scope, s.ticket_id AS ticket_id, s.raised_at AS raised_at,
           fromUnixTimestamp64Milli(JSONExtract(line, 'atMs', 'Int64'), 'UTC') AS at,
           JSONExtractString(line, 'what')                                      AS what,
           ''                                                                   AS actor,
           JSONExtractString(line, 'reason')                                    AS reason,
           if(r.alert_id = '', s.status, r.status)                              AS status,
           if(JSONExtractString(line, 'level') != '', JSONExtractString(line, 'level'), if(r.alert_id = '', s.level, r.level)) AS level
    FROM latest AS s
    ARRAY JOIN JSONExtractArrayRaw(s.snapshot, 'history') AS line
    LEFT JOIN
    (
        SELECT plan_year, alert_id, entry_id, CAST(status AS String) AS status, CAST(level AS String) AS level
        FROM complaints.alert_log FINAL
        WHERE actor = ''
    ) AS r ON r.plan_year = s.plan_year AND r.alert_id = s.alert_id AND r.entry_id = JSONExtractString(line, 'id')
    WHERE NOT JSONHas(line, 'by')
      AND JSONExtractString(line, 'what') IN ('opened', 'raised', 'recovering', 'resolved', 'closed', 'corrected', 'case-escalated', 'ticket-reopened', 'stale', 'overdue')

    UNION ALL

    SELECT o.plan_year AS plan_year, o.alert_id AS alert_id, CAST(o.kind AS String) AS kind, CAST(o.complaint_type AS String) AS complaint_type,
           CAST(o.scope AS String) AS scope, o.ticket_id AS ticket_id, s.raised_at AS raised_at,
           o.at AS at, CAST(o.what AS String) AS what, o.actor AS actor, o.reason AS reason,
           CAST(o.status AS String) AS status, CAST(o.level AS String) AS level
    FROM
    (
        SELECT plan_year, alert_id, kind, complaint_type, scope, ticket_id, at, what, actor, reason, status, level
        FROM complaints.alert_log FINAL
        WHERE NOT (what IN ('opened', 'raised', 'recovering', 'resolved', 'closed', 'corrected', 'case-escalated', 'ticket-reopened', 'stale', 'overdue') AND actor = '')
    ) AS o
    LEFT JOIN latest AS s ON s.plan_year = o.plan_year AND s.alert_id = o.alert_id
);

CREATE OR REPLACE VIEW complaints.v_alert_weekly AS
SELECT
    plan_year,
    week,
    complaint_type,
    scope,
    kind,
    what,
    count()             AS changes,
    uniqExact(alert_id) AS alerts
FROM complaints.v_alert_history
GROUP BY plan_year, week, complaint_type, scope, kind, what;
