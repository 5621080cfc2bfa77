-- Analyst views over the base views of 021 (dedupe and corrections already applied).
-- `scope` is the ticket's branch, plus 'ALL' for the whole bank (ARRAY JOIN [branch, 'ALL']).
-- Parent branches of the plan's hierarchy are not rolled up here: the hierarchy lives in the
-- plan, not in ClickHouse; /api/counters gives the rolled-up scopes. Distinct-customer columns
-- are distinct within their row's period and scope, so they do not add up across rows.

-- Not-agreed customers and the one-time resolution rate (一次性化解率) per statistical week.
CREATE VIEW IF NOT EXISTS complaints.v_resolution_weekly AS
SELECT
    year,
    week,
    complaint_type,
    scope,
    uniqExact(customer_hash)                                   AS first_contact_customers,
    uniqExactIf(customer_hash, outcome = 'not_agreed')         AS not_agreed_customers,
    1 - not_agreed_customers / first_contact_customers         AS one_time_resolution_rate
FROM complaints.first_contacts
ARRAY JOIN [branch, 'ALL'] AS scope
GROUP BY year, week, complaint_type, scope;

-- The counters' view of the same: customers counted in the week of their first not-agreed first
-- contact of the year (per type and scope), and the running total, which at the end of a week
-- equals /api/counters unresolvedCustomers at that instant for the same scope.
CREATE VIEW IF NOT EXISTS complaints.v_not_agreed_cumulative AS
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
    ARRAY JOIN [branch, 'ALL'] AS scope
    WHERE outcome = 'not_agreed'
    GROUP BY year, complaint_type, scope, customer_hash
)
GROUP BY year, week, complaint_type, scope;

-- Repeat complaints: a ticket is a repeat when the same customer (hash) opened another ticket of
-- the same type at most {days} days before it. Parameterised: complaints.v_repeat_complaints(days=30).
CREATE VIEW IF NOT EXISTS complaints.v_repeat_complaints AS
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
ARRAY JOIN [branch, 'ALL'] AS scope
GROUP BY year, month, complaint_type, scope;

-- Handling time from opened to the first resolved event, against the regulatory deadline of 15
-- days (30 when extended). Open tickets past their deadline are counted as of now.
CREATE VIEW IF NOT EXISTS complaints.v_handling_time AS
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
ARRAY JOIN [branch, 'ALL'] AS scope
GROUP BY year, month, complaint_type, scope;

-- Satisfaction (1..5) given at resolution: the ticket's latest score, by month of opening.
CREATE VIEW IF NOT EXISTS complaints.v_satisfaction AS
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
ARRAY JOIN [branch, 'ALL'] AS scope
WHERE satisfaction IS NOT NULL
GROUP BY year, month, complaint_type, scope;

-- Escalation ladder reach: of the cases (tickets whose first contact was not agreed), how many
-- went to a case meeting, to mediation, to management; `reach_rate` is the share that went to
-- mediation or management.
CREATE VIEW IF NOT EXISTS complaints.v_escalation_reach AS
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
ARRAY JOIN [branch, 'ALL'] AS scope
WHERE first_contact_outcome = 'not_agreed'
GROUP BY year, month, complaint_type, scope;
