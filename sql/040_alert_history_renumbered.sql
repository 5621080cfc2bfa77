-- v_alert_history again (after 039): an alert's own lines are those the monitor restores for it
-- (pipelines/rules/situations.ts linesOfThisEpisode). When people's decisions move to another
-- number with their episode (an earlier episode found late, a split, a join), the lines they
-- wrote stay in alert_log under the old number and are copied to the new one (detail.carriedAt);
-- the old number gets an `amended` (or `withdrawn`) line with detail.renumberedTo. From then on,
-- the old number's other lines dated before that line were the other episode's, and are left out
-- there, except those carried to it at or after it.

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
),
renumbered AS
(
    SELECT plan_year, alert_id, max(at) AS since
    FROM complaints.alert_log FINAL
    WHERE JSONHas(detail, 'renumberedTo')
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
           if(r.alert_id = '', s.level, r.level)                                AS level
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
        SELECT plan_year, alert_id, kind, complaint_type, scope, ticket_id, at, what, actor, reason, status, level,
               JSONExtract(detail, 'carriedAt', 'Int64') AS carried_at
        FROM complaints.alert_log FINAL
        WHERE NOT (what IN ('opened', 'raised', 'recovering', 'resolved', 'closed', 'corrected', 'case-escalated', 'ticket-reopened', 'stale', 'overdue') AND actor = '')
    ) AS o
    LEFT JOIN latest AS s ON s.plan_year = o.plan_year AND s.alert_id = o.alert_id
    LEFT JOIN renumbered AS m ON m.plan_year = o.plan_year AND m.alert_id = o.alert_id
    WHERE o.at >= m.since OR o.carried_at >= toUnixTimestamp64Milli(m.since)
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
