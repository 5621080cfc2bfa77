-- Views that read right without the monitor having written at the right moment.
--
-- counters_current: the counts as the monitor last wrote them (counter_changes gets a row only
-- when a count changes), but allowance_to_date, ratio and level from the plan in force (028) at
-- the instant of the query, as /api/counters computes them (contract section 3): a week boundary
-- raises the allowance and may lower the level with no event, and a quiet cell kept a week-old
-- level. After the plan year's end the allowance is the annual one (the year's final board).
-- Every cell of the plan in force has a row (0 when nothing counted yet). A year without a
-- recorded plan (stored before 028) keeps the values the monitor wrote.
CREATE OR REPLACE VIEW complaints.counters_current AS
SELECT
    if(c.written = 1, c.plan_year, p.plan_year)                     AS plan_year,
    if(c.written = 1, c.complaint_type, p.complaint_type)           AS complaint_type,
    if(c.written = 1, c.scope, p.scope)                             AS scope,
    c.unresolved_customers                                          AS unresolved_customers,
    c.first_contact_customers                                       AS first_contact_customers,
    if(p.in_plan = 1, p.to_date, c.allowance_to_date)               AS allowance_to_date,
    if(p.in_plan = 1, p.annual, c.annual_allowance)                 AS annual_allowance,
    if(p.in_plan = 1, if(p.to_date = 0, NULL, c.unresolved_customers / p.to_date), c.ratio) AS ratio,
    if(p.in_plan = 1,
       multiIf(c.unresolved_customers > p.annual, 'critical',
               c.unresolved_customers > p.to_date, 'breach',
               -- the counters' tolerance: at the threshold by the plan's arithmetic is at it
               p.to_date != 0 AND c.unresolved_customers / p.to_date >= p.watch * (1 - 1e-12), 'watch',
               'ok'),
       c.level)                                                     AS level,
    if(c.written = 1, c.last_changed_at, p.since)                   AS last_changed_at
FROM
(
    SELECT
        plan_year,
        complaint_type,
        scope,
        argMax(unresolved_customers, changed_at)    AS unresolved_customers,
        argMax(first_contact_customers, changed_at) AS first_contact_customers,
        argMax(allowance_to_date, changed_at)       AS allowance_to_date,
        argMax(annual_allowance, changed_at)        AS annual_allowance,
        argMax(ratio, changed_at)                   AS ratio,
        argMax(level, changed_at)                   AS level,
        max(changed_at)                             AS last_changed_at,
        1                                           AS written
    FROM complaints.counter_changes
    GROUP BY plan_year, complaint_type, scope
) AS c
FULL OUTER JOIN
(
    -- the curve is non-decreasing: the largest value of the weeks begun is the current week's
    SELECT
        a.plan_year                                                   AS plan_year,
        a.complaint_type                                              AS complaint_type,
        a.scope                                                       AS scope,
        any(a.annual_allowance)                                       AS annual,
        if(now64(3) >= max(a.week_end), any(a.annual_allowance), maxIf(a.allowance_to_date, a.week_start <= now64(3))) AS to_date,
        any(a.watch)                                                  AS watch,
        any(f.since)                                                  AS since,
        1                                                             AS in_plan
    FROM complaints.allowance_curve AS a
    INNER JOIN (SELECT plan_year, max(since) AS since FROM complaints.plan_in_force GROUP BY plan_year) AS f ON f.plan_year = a.plan_year
    GROUP BY a.plan_year, a.complaint_type, a.scope
) AS p ON p.plan_year = c.plan_year AND p.complaint_type = c.complaint_type AND p.scope = c.scope;

-- Stored weekly reviews (周复盘): every event the monitor received before complete_until is in
-- the review (it was produced once the monitor had committed everything the stream held then).
-- An event for the week received later makes the review out of date and the monitor produces it
-- again (server/reports/store-rule.ts). Rows stored before this file read generated_at.
ALTER TABLE complaints.weekly_reports ADD COLUMN IF NOT EXISTS complete_until DateTime64(3, 'UTC') DEFAULT generated_at;

-- The stored weekly reviews, the latest of each week. weekly_reports (023) is a
-- ReplacingMergeTree: a week produced again has two rows until ClickHouse merges them.
CREATE VIEW IF NOT EXISTS complaints.weekly_reviews AS
SELECT plan_year, week, generated_at, complete_until, body
FROM complaints.weekly_reports
ORDER BY generated_at DESC
LIMIT 1 BY plan_year, week;

-- Year to date per week: first-contact and not-agreed customers counted in the week of their
-- first (not-agreed) first contact of the year, and running totals, which at the end of a week
-- equal /api/counters firstContactCustomers and unresolvedCustomers then (same scope rules as
-- v_not_agreed_cumulative). The wall-board's year-to-date one-time resolution rate sums the
-- running totals of the plan's types at scope 'ALL' (sql/README.md shows the query).
CREATE VIEW IF NOT EXISTS complaints.v_resolution_cumulative AS
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
