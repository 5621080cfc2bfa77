-- The plan in force, for analysts: allowanceToDate, ratio and level can be reproduced with SQL
-- alone. Each time a monitor puts a plan in force (at every start, and on PUT /api/plan) it
-- writes a row to plan_in_force; the first time it sees a plan (by hash) it also writes the
-- plan's allowance curve, one row per type, scope and statistical week, as the monitor computes
-- it (pipelines/plan/compile.ts: share of the year's days per clipped week or the type's
-- weeklyWeights, parent × weight / sum of the siblings' weights, branchAllowances).
-- plan_changes (020) stays the record of who changed a plan and why; this is what was in force.
CREATE TABLE IF NOT EXISTS complaints.plan_in_force
(
    -- when the monitor put the plan in force: its start, or the change
    since       DateTime64(3, 'UTC'),
    plan_year   UInt16,
    -- sha256 of the plan's JSON, as plan_changes.new_hash
    plan_hash   String,
    -- 'start' (the PLAN file at a monitor's start) or 'change' (PUT /api/plan)
    source      LowCardinality(String),
    timezone    LowCardinality(String),
    watch       Float64,
    plan        String
)
ENGINE = MergeTree
PARTITION BY plan_year
ORDER BY (plan_year, since);

CREATE TABLE IF NOT EXISTS complaints.plan_allowances
(
    plan_year         UInt16,
    plan_hash         String,
    complaint_type    LowCardinality(String),
    -- 'strict' or 'relative'
    mode              LowCardinality(String),
    -- 'ALL' or a branch code of the plan
    scope             LowCardinality(String),
    -- the scope's parent ('ALL' for a top branch, '' for ALL)
    parent            LowCardinality(String),
    -- the scope, its ancestors nearest first, then 'ALL': the scopes a ticket of this branch
    -- counts in (a branch the plan does not know counts in 'ALL' only)
    scope_chain       Array(String),
    -- statistical week (1-based, the plan's zone) and its bounds, end exclusive
    week              UInt8,
    week_start        DateTime64(3, 'UTC'),
    week_end          DateTime64(3, 'UTC'),
    -- cumulative allowance at any instant of the week; the last week's is the annual one
    allowance_to_date Float64,
    annual_allowance  Float64
)
ENGINE = ReplacingMergeTree
PARTITION BY plan_year
ORDER BY (plan_year, plan_hash, complaint_type, scope, week);

-- The allowance curve of the plan in force now (the latest plan_in_force row of each year).
CREATE VIEW IF NOT EXISTS complaints.allowance_curve AS
SELECT a.*, f.watch AS watch, f.timezone AS timezone
FROM complaints.plan_allowances AS a FINAL
INNER JOIN
(
    SELECT plan_year, argMax(plan_hash, since) AS plan_hash, argMax(watch, since) AS watch, argMax(timezone, since) AS timezone
    FROM complaints.plan_in_force
    GROUP BY plan_year
) AS f ON f.plan_year = a.plan_year AND f.plan_hash = a.plan_hash;
