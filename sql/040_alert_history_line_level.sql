-- v_alert_history again (after 039): a rule line's `level` is the line's own (the level it
-- opened, rose or aged to, as GET /api/alerts/:id shows it), not the alert's level when the line's
-- row was written. A back-fill or a re-derivation writes an alert's rule lines in one batch, each
-- row carrying the alert's level at that moment: "raised to critical" counted about twice the
-- alerts that rose to it, and no case opened as new (verify CG G1). Lines without a level of
-- their own (people's actions, notices, on-call steps, amended, withdrawn) keep their row's.
-- v_alert_weekly (039) reads this view and follows it.

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
