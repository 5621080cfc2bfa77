-- The rolling cumulative-versus-allowance counters, one row each time a (type, scope) counter
-- changed. The latest row per (plan_year, complaint_type, scope) is the current state; the whole
-- table is the counter's history as the monitor saw it live.
CREATE TABLE IF NOT EXISTS complaints.counter_changes
(
    changed_at              DateTime64(3, 'UTC'),
    plan_year               UInt16,
    complaint_type          LowCardinality(String),
    scope                   LowCardinality(String),
    unresolved_customers    UInt32,
    first_contact_customers UInt32,
    allowance_to_date       Float64,
    annual_allowance        Float64,
    ratio                   Nullable(Float64),
    level                   LowCardinality(String),
    worker                  LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(changed_at)
ORDER BY (plan_year, complaint_type, scope, changed_at);

-- Current counters as last written by the monitor.
CREATE VIEW IF NOT EXISTS complaints.counters_current AS
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
    max(changed_at)                             AS last_changed_at
FROM complaints.counter_changes
GROUP BY plan_year, complaint_type, scope;
