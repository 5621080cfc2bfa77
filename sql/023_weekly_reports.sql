-- Stored weekly reviews (周复盘), so a past week can be reopened as it was issued. Produced
-- automatically after each week ends and on demand; a week produced again (late events, a plan
-- correction) replaces the row (ReplacingMergeTree by generated_at), and the body says when.
CREATE TABLE IF NOT EXISTS complaints.weekly_reports
(
    plan_year    UInt16,
    week         UInt8,
    generated_at DateTime64(3, 'UTC'),
    -- the review as JSON (server/reports/weekly.ts WeeklyReview); no personal data
    body         String
)
ENGINE = ReplacingMergeTree(generated_at)
PARTITION BY plan_year
ORDER BY (plan_year, week);
