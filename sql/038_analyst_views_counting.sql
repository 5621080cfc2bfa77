-- The base views again (CREATE OR REPLACE: a shipped file is never edited), after an audit (CC):
--   * first_contacts: plain String columns, made so before its joins. `branch` mixed the events'
--     LowCardinality with the corrections' String, and the view joined again and ARRAY JOINed
--     (sql/README.md's roll-up) failed with "Block structure mismatch" unless filtered by a type
--     (F3): the engine's filter push-down meets a column whose type changes across a join (a
--     CAST after the join fails the same way). `week` is 1..54: UInt8, a number in JSON (it was
--     Int64, sent as a string); v_alert_history's too (sql/039).
--   * tickets.first_contact_outcome follows the counters (pipelines/transforms/counters.ts) and
--     the case alerts (pipelines/rules/cases.ts): every first contact of a ticket counts, with the
--     outcome of the ticket's latest correction carrying one, else its own; a ticket is
--     `not_agreed` when any of them is. It was the earliest first contact's alone, so a case the
--     monitor follows (agreed, then not agreed) was missing from v_escalation_reach (F6). A
--     ticket with no first contact has none (''), corrected or not, as it counts nowhere.
--   * tickets.corrections_only: 1 for a ticket of which the store has only corrections (opened
--     before the monitor, never back-filled; a correction ahead of its ticket). Its opening,
--     customer and deadline are unknown: v_repeat_complaints took all of them as one customer
--     (''), and v_handling_time counted them overdue (F5); both leave them out now.
-- The views that read these are created again too, unchanged, so that their columns follow.

CREATE OR REPLACE VIEW complaints.first_contacts AS
SELECT
    e.event_id                                                       AS event_id,
    e.ticket_id                                                      AS ticket_id,
    e.occurred_at                                                    AS occurred_at,
    e.occurred_at_exact                                              AS occurred_at_exact,
    toDate(e.occurred_at, 'Asia/Shanghai')                           AS local_date,
    toYear(local_date)                                               AS year,
    toUInt8(toRelativeWeekNum(local_date) - toRelativeWeekNum(toStartOfYear(local_date)) + 1) AS week,
    multiIf(c.ticket_id != '', c.corrected_type,
            e.reported_type != 'unclassified', e.complaint_type,
            k.ticket_id != '', k.classified_type, 'unclassified')   AS complaint_type,
    if(c.ticket_id = '', e.branch, c.corrected_branch)               AS branch,
    if(c.corrected_outcome = '', e.outcome, c.corrected_outcome)     AS outcome,
    e.customer_hash                                                  AS customer_hash
FROM
(
    -- String before the joins: a column whose type changes after them trips the engine's
    -- filter push-down when the view is joined again (the "Block structure mismatch" of F3)
    SELECT event_id, ticket_id, occurred_at, occurred_at_exact, customer_hash,
           CAST(complaint_type AS String) AS complaint_type, CAST(reported_type AS String) AS reported_type,
           CAST(branch AS String) AS branch, CAST(outcome AS String) AS outcome
    FROM complaints.events_dedup
    WHERE kind = 'first_contact'
) AS e
LEFT JOIN complaints.ticket_corrections AS c ON c.ticket_id = e.ticket_id
LEFT JOIN complaints.ticket_classifications AS k ON k.ticket_id = e.ticket_id;

CREATE OR REPLACE VIEW complaints.tickets AS
SELECT
    t.ticket_id                                                      AS ticket_id,
    multiIf(c.ticket_id != '', c.corrected_type,
            t.first_reported != 'unclassified', t.first_type,
            k.ticket_id != '', k.classified_type, 'unclassified')   AS complaint_type,
    if(c.ticket_id = '', t.first_branch, c.corrected_branch)         AS branch,
    t.customer_hash                                                  AS customer_hash,
    t.opened_at                                                      AS opened_at,
    toDate(t.opened_at, 'Asia/Shanghai')                             AS opened_date,
    toYear(opened_date)                                              AS year,
    toMonth(opened_date)                                             AS month,
    t.first_contact_at                                               AS first_contact_at,
    multiIf(t.first_contacts = 0, '',
            c.corrected_outcome != '', c.corrected_outcome,
            t.any_not_agreed, 'not_agreed',
            t.earliest_outcome)                                      AS first_contact_outcome,
    t.resolved_at                                                    AS resolved_at,
    t.resolved_outcome                                               AS resolved_outcome,
    t.extended                                                       AS extended,
    if(t.extended = 1, 30, 15)                                       AS deadline_days,
    t.escalation_level                                               AS escalation_level,
    t.satisfaction                                                   AS satisfaction,
    t.corrections_only                                               AS corrections_only
FROM
(
    SELECT
        ticket_id,
        argMinIf(complaint_type, (occurred_at_exact, event_id), kind != 'corrected') AS first_type,
        argMinIf(reported_type, (occurred_at_exact, event_id), kind != 'corrected')  AS first_reported,
        argMinIf(branch, (occurred_at_exact, event_id), kind != 'corrected')         AS first_branch,
        -- the customer of the ticket's earliest own event; a ticket seen only through corrections has none ('')
        argMinIf(customer_hash, (occurred_at_exact, event_id), kind != 'corrected')  AS customer_hash,
        toUInt8(countIf(kind != 'corrected') = 0)                                    AS corrections_only,
        -- a ticket seen without its 'opened' event is dated by its earliest event
        if(countIf(kind = 'opened') > 0, minIf(occurred_at, kind = 'opened'), min(occurred_at)) AS opened_at,
        minIf(occurred_at, kind = 'first_contact')                                   AS first_contact_at,
        countIf(kind = 'first_contact')                                              AS first_contacts,
        countIf(kind = 'first_contact' AND outcome = 'not_agreed') > 0               AS any_not_agreed,
        argMinIf(outcome, (occurred_at_exact, event_id), kind = 'first_contact')     AS earliest_outcome,
        if(countIf(kind = 'resolved') > 0, minIf(occurred_at, kind = 'resolved'), NULL) AS resolved_at,
        argMinIf(outcome, (occurred_at_exact, event_id), kind = 'resolved')          AS resolved_outcome,
        max(tags['deadline'] = 'extended')                                           AS extended,
        -- the escalation ladder: 0 none, 1 case meeting, 2 mediation, 3 management
        max(multiIf(escalation = 'management', 3, escalation = 'mediation', 2, escalation = 'case_meeting', 1, 0)) AS escalation_level,
        argMaxIf(satisfaction, (occurred_at_exact, event_id), kind = 'resolved' AND satisfaction IS NOT NULL) AS satisfaction
    FROM complaints.events_dedup
    GROUP BY ticket_id
) AS t
LEFT JOIN complaints.ticket_corrections AS c ON c.ticket_id = t.ticket_id
LEFT JOIN complaints.ticket_classifications AS k ON k.ticket_id = t.ticket_id;

CREATE OR REPLACE VIEW complaints.v_resolution_weekly AS
SELECT
    year,
    week,
    complaint_type,
    scope,
    uniqExact(customer_hash)                                   AS first_contact_customers,
    uniqExactIf(customer_hash, outcome = 'not_agreed')         AS not_agreed_customers,
    1 - not_agreed_customers / first_contact_customers         AS one_time_resolution_rate
FROM complaints.first_contacts
ARRAY JOIN arrayDistinct([branch, 'ALL']) AS scope
GROUP BY year, week, complaint_type, scope;

CREATE OR REPLACE VIEW complaints.v_not_agreed_cumulative AS
SELECT
    year,
    week,
    complaint_type,
    scope,
    count()                                                                   AS new_not_agreed_customers,
    sum(new_not_agreed_customers) OVER (PARTITION BY year, complaint_type, scope ORDER BY week
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative_not_agreed_customers
FROM
(
    SELECT year, complaint_type, scope, customer_hash, min(week) AS week
    FROM complaints.first_contacts
    ARRAY JOIN arrayDistinct([branch, 'ALL']) AS scope
    WHERE outcome = 'not_agreed'
    GROUP BY year, complaint_type, scope, customer_hash
)
GROUP BY year, week, complaint_type, scope;

CREATE OR REPLACE VIEW complaints.v_resolution_cumulative AS
SELECT
    year,
    week,
    complaint_type,
    scope,
    sum(new_fc)                                                                AS new_first_contact_customers,
    sum(new_na)                                                                AS new_not_agreed_customers,
    sum(new_first_contact_customers) OVER w                                    AS cumulative_first_contact_customers,
    sum(new_not_agreed_customers) OVER w                                       AS cumulative_not_agreed_customers,
    1 - cumulative_not_agreed_customers / cumulative_first_contact_customers  AS one_time_resolution_rate
FROM
(
    SELECT year, complaint_type, scope, p.1 AS week, p.2 AS new_fc, p.3 AS new_na
    FROM
    (
        SELECT year, complaint_type, scope, customer_hash,
               min(week) AS fc_week, minIf(week, outcome = 'not_agreed') AS na_week
        FROM complaints.first_contacts
        ARRAY JOIN arrayDistinct([branch, 'ALL']) AS scope
        GROUP BY year, complaint_type, scope, customer_hash
    )
    ARRAY JOIN arrayFilter(x -> x.1 > 0, [(fc_week, 1, 0), (na_week, 0, 1)]) AS p
)
GROUP BY year, week, complaint_type, scope
WINDOW w AS (PARTITION BY year, complaint_type, scope ORDER BY week ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

-- A ticket whose customer is unknown (corrections_only) has no earlier ticket of its customer.
CREATE OR REPLACE VIEW complaints.v_repeat_complaints AS
SELECT
    year,
    month,
    complaint_type,
    scope,
    count()                        AS tickets,
    countIf(is_repeat)             AS repeat_tickets,
    repeat_tickets / tickets       AS repeat_rate
FROM
(
    SELECT
        year, month, complaint_type, branch, opened_at,
        lagInFrame(toNullable(opened_at)) OVER (PARTITION BY customer_hash, complaint_type ORDER BY opened_at, ticket_id
                                               ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS previous_at,
        previous_at IS NOT NULL AND dateDiff('millisecond', previous_at, opened_at) <= {days:UInt32} * 86400000 AS is_repeat
    FROM complaints.tickets
    WHERE corrections_only = 0
)
ARRAY JOIN arrayDistinct([branch, 'ALL']) AS scope
GROUP BY year, month, complaint_type, scope;

-- A ticket known only from its corrections has no opening to run a deadline from.
CREATE OR REPLACE VIEW complaints.v_handling_time AS
SELECT
    year,
    month,
    complaint_type,
    scope,
    count()                                                                  AS tickets,
    countIf(resolved_at IS NOT NULL)                                         AS resolved,
    avgIf(dateDiff('second', opened_at, resolved_at) / 86400, resolved_at IS NOT NULL)            AS avg_days,
    quantileExactIf(0.9)(dateDiff('second', opened_at, resolved_at) / 86400, resolved_at IS NOT NULL) AS p90_days,
    countIf(resolved_at IS NOT NULL AND dateDiff('second', opened_at, resolved_at) <= deadline_days * 86400) AS resolved_in_time,
    countIf(resolved_at IS NOT NULL AND dateDiff('second', opened_at, resolved_at) > deadline_days * 86400)  AS resolved_late,
    countIf(resolved_at IS NULL AND dateDiff('second', opened_at, now64(3)) > deadline_days * 86400)        AS open_past_deadline,
    countIf(extended = 1)                                                    AS extended_tickets
FROM complaints.tickets
ARRAY JOIN arrayDistinct([branch, 'ALL']) AS scope
WHERE corrections_only = 0
GROUP BY year, month, complaint_type, scope;

CREATE OR REPLACE VIEW complaints.v_satisfaction AS
SELECT
    year,
    month,
    complaint_type,
    scope,
    count()                          AS rated_tickets,
    avg(satisfaction)                AS avg_satisfaction,
    countIf(satisfaction >= 4) / rated_tickets AS satisfied_share,
    countIf(satisfaction <= 2)       AS dissatisfied_tickets
FROM complaints.tickets
ARRAY JOIN arrayDistinct([branch, 'ALL']) AS scope
WHERE satisfaction IS NOT NULL
GROUP BY year, month, complaint_type, scope;

-- Cases: tickets whose first contacts count not agreed (tickets.first_contact_outcome), the
-- tickets the case alerts follow.
CREATE OR REPLACE VIEW complaints.v_escalation_reach AS
SELECT
    year,
    month,
    complaint_type,
    scope,
    count()                               AS cases,
    countIf(escalation_level >= 1)        AS reached_case_meeting,
    countIf(escalation_level >= 2)        AS reached_mediation,
    countIf(escalation_level >= 3)        AS reached_management,
    reached_mediation / cases             AS reach_rate
FROM complaints.tickets
ARRAY JOIN arrayDistinct([branch, 'ALL']) AS scope
WHERE first_contact_outcome = 'not_agreed'
GROUP BY year, month, complaint_type, scope;
