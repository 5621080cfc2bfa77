-- Alert history for analysts, over the alert engine's audit trail (sql/010_alerts.sql,
-- complaints.alert_log: one row per alert change; FINAL folds re-derived rows). Reads only the
-- columns listed here, so the alert engine may add columns freely; renaming one of these needs
-- this view changed too.
CREATE VIEW IF NOT EXISTS complaints.v_alert_history AS
SELECT
    at,
    toDate(at, 'Asia/Shanghai')                                                   AS local_date,
    toYear(local_date)                                                            AS year,
    toRelativeWeekNum(local_date) - toRelativeWeekNum(toStartOfYear(local_date)) + 1 AS week,
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
    reason
FROM complaints.alert_log FINAL;

-- Per week, type and scope: how many alert changes of each kind (opened, escalated,
-- acknowledged, resolved, ...), and how many distinct alerts were touched.
CREATE VIEW IF NOT EXISTS complaints.v_alert_weekly AS
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
