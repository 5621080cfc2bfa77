-- Every change of the running monitor's plan (PUT /api/plan): who asked, when, and the whole
-- old and new plan (JSON, as compiled), so an auditor can see what allowance curve was in force
-- at any time and a replay can be run under either plan. Plans hold no personal data.
CREATE TABLE IF NOT EXISTS complaints.plan_changes
(
    changed_at  DateTime64(3, 'UTC'),
    plan_year   UInt16,
    -- the person named in the request, and the role of the token used
    changed_by  String,
    role        LowCardinality(String),
    reason      String,
    -- sha256 of the canonical JSON of each plan: equal hashes mean the same plan
    old_hash    String,
    new_hash    String,
    old_plan    String,
    new_plan    String,
    -- how many stored events the counters were rebuilt from under the new plan
    rebuilt_events UInt64
)
ENGINE = MergeTree
PARTITION BY toYear(changed_at)
ORDER BY (plan_year, changed_at);
