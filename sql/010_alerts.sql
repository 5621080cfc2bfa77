-- The alert audit trail: one append-only row per alert change (a rule's transition, a person's
-- action, an on-call escalation), with who, when, what, before and after. `snapshot` is the
-- whole alert after the change, so the monitor rebuilds its alerts at start from the latest
-- snapshot per alert. Rule transitions carry deterministic entry ids, so a re-derivation after a
-- restart folds into the same row (ReplacingMergeTree keyed by alert and entry).
CREATE TABLE IF NOT EXISTS complaints.alert_log
(
    logged_at      DateTime64(3, 'UTC'),
    at             DateTime64(3, 'UTC'),
    plan_year      UInt16,
    alert_id       String,
    entry_id       String,
    kind           LowCardinality(String),
    complaint_type LowCardinality(String),
    scope          LowCardinality(String),
    ticket_id      String,
    what           LowCardinality(String),
    actor          String,
    reason         String,
    before         String,
    after          String,
    status         LowCardinality(String),
    level          LowCardinality(String),
    detail         String,
    snapshot       String
)
ENGINE = ReplacingMergeTree(logged_at)
PARTITION BY plan_year
ORDER BY (alert_id, entry_id);
