-- The analyst views of 021 and 022 again (CREATE OR REPLACE: a shipped file is never edited), so
-- that they count exactly as the live counters do (pipelines/transforms/corrections.ts, counters.ts):
--   * times to the microsecond. `occurred_at` keeps milliseconds; the producer's text
--     (`occurred_at_text`) keeps the rest, and the counters compare corrections by the time with
--     its microseconds (digits past the sixth cut off), then by event id. `occurred_at_exact`
--     (DateTime64(6)) is that time; the views order by (occurred_at_exact, event_id). Two
--     corrections within one millisecond were ordered by event id alone, the counters by time.
--   * a ticket's customer is its own events' customer: the corrections people make through the
--     monitor (POST /api/corrections) carry the customer "correction", and `any(customer_hash)`
--     over all a ticket's events sometimes took it (repeat complaints inflated, and not the same
--     number from one merge to the next).
--   * a ticket whose branch is literally 'ALL' (the schema allows the code) counts once in the
--     bank-wide rows, as in the counters (a branch not in the plan counts only in ALL):
--     `arrayDistinct([branch, 'ALL'])`.

CREATE OR REPLACE VIEW complaints.events_dedup AS
SELECT
    *,
    -- the same digits as pipelines/sources/clickhouse-replay.ts OCCURRED_MS (4th to 6th fractional digit)
    toDateTime64(occurred_at, 6, 'UTC') + toIntervalMicrosecond(
        if(match(occurred_at_text, '[.][0-9]{4}'), toUInt32OrZero(rightPad(substring(extract(occurred_at_text, '[.]([0-9]+)'), 4, 3), 3, '0')), 0)
    ) AS occurred_at_exact
FROM complaints.ticket_events FINAL;

CREATE OR REPLACE VIEW complaints.ticket_corrections AS
SELECT
    ticket_id,
    argMax(complaint_type, (occurred_at_exact, event_id))               AS corrected_type,
    argMax(branch, (occurred_at_exact, event_id))                       AS corrected_branch,
    argMaxIf(outcome, (occurred_at_exact, event_id), outcome != '')     AS corrected_outcome
FROM complaints.events_dedup
WHERE kind = 'corrected'
GROUP BY ticket_id;

CREATE OR REPLACE VIEW complaints.first_contacts AS
SELECT
    e.event_id                                                       AS event_id,
    e.ticket_id                                                      AS ticket_id,
    e.occurred_at                                                    AS occurred_at,
    e.occurred_at_exact                                              AS occurred_at_exact,
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

CREATE OR REPLACE VIEW complaints.tickets AS
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
        argMinIf(complaint_type, (occurred_at_exact, event_id), kind != 'corrected') AS first_type,
        argMinIf(branch, (occurred_at_exact, event_id), kind != 'corrected')         AS first_branch,
        -- the customer of the ticket's earliest own event; a ticket seen only through corrections has none ('')
        argMinIf(customer_hash, (occurred_at_exact, event_id), kind != 'corrected')  AS customer_hash,
        -- a ticket seen without its 'opened' event is dated by its earliest event
        if(countIf(kind = 'opened') > 0, minIf(occurred_at, kind = 'opened'), min(occurred_at)) AS opened_at,
        minIf(occurred_at, kind = 'first_contact')                                   AS first_contact_at,
        argMinIf(outcome, (occurred_at_exact, event_id), kind = 'first_contact')     AS first_contact_outcome,
        if(countIf(kind = 'resolved') > 0, minIf(occurred_at, kind = 'resolved'), NULL) AS resolved_at,
        argMinIf(outcome, (occurred_at_exact, event_id), kind = 'resolved')          AS resolved_outcome,
        max(tags['deadline'] = 'extended')                                           AS extended,
        -- the escalation ladder: 0 none, 1 case meeting, 2 mediation, 3 management
        max(multiIf(escalation = 'management', 3, escalation = 'mediation', 2, escalation = 'case_meeting', 1, 0)) AS escalation_level,
        argMaxIf(satisfaction, (occurred_at_exact, event_id), kind = 'resolved' AND satisfaction IS NOT NULL) AS satisfaction
    FROM complaints.events_dedup
    GROUP BY ticket_id
) AS t
LEFT JOIN complaints.ticket_corrections AS c ON c.ticket_id = t.ticket_id;

-- The analyst views of 022, each bank-wide row counting a ticket once.

-- Not-agreed customers and the one-time resolution rate (一次性化解率) per statistical week.
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

-- The counters' view of the same: customers counted in the week of their first not-agreed first
-- contact of the year (per type and scope), and the running total, which at the end of a week
-- equals /api/counters unresolvedCustomers at that instant for the same scope.
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

-- Repeat complaints: a ticket is a repeat when the same customer (hash) opened another ticket of
-- the same type at most {days} days before it. Parameterised: complaints.v_repeat_complaints(days=30).
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
)
ARRAY JOIN arrayDistinct([branch, 'ALL']) AS scope
GROUP BY year, month, complaint_type, scope;

-- Handling time from opened to the first resolved event, against the regulatory deadline of 15
-- days (30 when extended). Open tickets past their deadline are counted as of now.
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
GROUP BY year, month, complaint_type, scope;

-- Satisfaction (1..5) given at resolution: the ticket's latest score, by month of opening.
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

-- Escalation ladder reach: of the cases (tickets whose first contact was not agreed), how many
-- went to a case meeting, to mediation, to management; `reach_rate` is the share that went to
-- mediation or management.
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
