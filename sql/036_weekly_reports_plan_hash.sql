-- The plan a stored weekly review (周复盘) was produced under: its hash as plan_in_force and
-- plan_allowances (028) key it, so a review's allowances and levels can be traced to the plan
-- (join plan_in_force on plan_hash). A stored review whose plan is not the plan in force (a
-- PUT /api/plan, a start with another PLAN file) is out of date: the monitor produces it again
-- under the plan in force and the new row replaces it (server/reports/data.ts weeksChangedSince).
-- Rows stored before this file read '' (no plan named): produced again at the next check.
ALTER TABLE complaints.weekly_reports ADD COLUMN IF NOT EXISTS plan_hash String DEFAULT '';

CREATE OR REPLACE VIEW complaints.weekly_reviews AS
SELECT plan_year, week, generated_at, complete_until, plan_hash, body
FROM complaints.weekly_reports
ORDER BY generated_at DESC
LIMIT 1 BY plan_year, week;
