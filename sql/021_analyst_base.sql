-- Analyst base views: the stored events as the monitor counts them. Everything analysts read is
-- built on these, so dedupe and corrections are applied once, the same way as the live counters
-- (contract sections 1 and 3):
--   * each distinct event_id once (the table is a ReplacingMergeTree keyed by event_id; FINAL
--     folds copies that have not been merged yet);
--   * a ticket's latest correction (occurred_at, then event_id) replaces its type and branch,
--     and the latest correction that carries an outcome replaces its first-contact outcome.
-- Local dates and weeks are in the plans' default time zone, Asia/Shanghai. Week numbers follow
-- the contract: week 1 runs from 1 January to the first Sunday, later weeks Monday to Sunday.

CREATE VIEW IF NOT EXISTS complaints.events_dedup AS
SELECT *
FROM complaints.ticket_events FINAL;

-- One row per corrected ticket: what its corrections say now.
CREATE VIEW IF NOT EXISTS complaints.ticket_corrections AS
SELECT
    ticket_id,
    argMax(complaint_type, (occurred_at, event_id))                 AS corrected_type,
    argMax(branch, (occurred_at, event_id))                         AS corrected_branch,
    argMaxIf(outcome, (occurred_at, event_id), outcome != '')       AS corrected_outcome
FROM complaints.events_dedup
WHERE kind = 'corrected'
GROUP BY ticket_id;

-- Every first-contact event with the type, branch and outcome it counts under.
CREATE VIEW IF NOT EXISTS complaints.first_contacts AS
SELECT
    e.event_id                                                       AS event_id,
    e.ticket_id                                                      AS ticket_id,
    e.occurred_at                                                    AS occurred_at,
    toDate(e.occurred_at, 'Asia/Shanghai')                           AS local_date,
    toYear(local_date)                                               AS year,
    toRelativeWeekNum(local_date) - toRelativeWeekNum(toStartOfYear(local_date)) + 1 AS week,
    if(c.ticket_id = '', e.complaint_type, c.corrected_type)         AS complaint_type,
    if(c.ticket_id = '', e.branch, c.corrected_branch)               AS branch,
    if(c.corrected_outcome = '', e.outcome, c.corrected_outcome)     AS outcome,
    e.customer_hash                                                  AS customer_hash
FROM complaints.events_dedup AS e
LEFT JOIN complaints.ticket_corrections AS c ON c.ticket_id = e.ticket_id
WHERE e.kind = 'first_contact';

-- One row per ticket: its life from opened to resolved. Type and branch: the latest correction,
-- else the ticket's earliest event. Extension of the regulatory deadline (15 → 30 days) is read
-- from the tag deadline=extended on any of the ticket's events (the contract has no field for it).
CREATE VIEW IF NOT EXISTS complaints.tickets AS
SELECT
    t.ticket_id                                                      AS ticket_id,
    if(c.ticket_id = '', t.first_type, c.corrected_type)             AS complaint_type,
    if(c.ticket_id = '', t.first_branch, c.corrected_branch)         AS branch,
    t.customer_hash                                                  AS customer_hash,
    t.opened_at                                                      AS opened_at,
    toDate(t.opened_at, 'Asia/Shanghai')                             AS opened_date,
    toYear(opened_date)                                              AS year,
    toMonth(opened_date)                                             AS month,
    t.first_contact_at                                               AS first_contact_at,
    if(c.corrected_outcome = '', t.first_contact_outcome, c.corrected_outcome) AS first_contact_outcome,
    t.resolved_at                                                    AS resolved_at,
    t.resolved_outcome                                               AS resolved_outcome,
    t.extended                                                       AS extended,
    if(t.extended = 1, 30, 15)                                       AS deadline_days,
    t.escalation_level                                               AS escalation_level,
    t.satisfaction                                                   AS satisfaction
FROM
(
    SELECT
        ticket_id,
        argMinIf(complaint_type, (occurred_at, event_id), kind != 'corrected') AS first_type,
        argMinIf(branch, (occurred_at, event_id), kind != 'corrected')         AS first_branch,
        any(customer_hash)                                                     AS customer_hash,
        -- a ticket seen without its 'opened' event is dated by its earliest event
        if(countIf(kind = 'opened') > 0, minIf(occurred_at, kind = 'opened'), min(occurred_at)) AS opened_at,
        minIf(occurred_at, kind = 'first_contact')                             AS first_contact_at,
        argMinIf(outcome, (occurred_at, event_id), kind = 'first_contact')     AS first_contact_outcome,
        if(countIf(kind = 'resolved') > 0, minIf(occurred_at, kind = 'resolved'), NULL) AS resolved_at,
        argMinIf(outcome, (occurred_at, event_id), kind = 'resolved')          AS resolved_outcome,
        max(tags['deadline'] = 'extended')                                     AS extended,
        -- the escalation ladder: 0 none, 1 case meeting, 2 mediation, 3 management
        max(multiIf(escalation = 'management', 3, escalation = 'mediation', 2, escalation = 'case_meeting', 1, 0)) AS escalation_level,
        argMaxIf(satisfaction, (occurred_at, event_id), kind = 'resolved' AND satisfaction IS NOT NULL) AS satisfaction
    FROM complaints.events_dedup
    GROUP BY ticket_id
) AS t
LEFT JOIN complaints.ticket_corrections AS c ON c.ticket_id = t.ticket_id;
