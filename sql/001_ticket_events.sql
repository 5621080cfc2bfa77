-- Ticket events as the monitor keeps them: the durable truth every counter is derived from.
-- Personal data never lands here in clear: customers are a keyed hash (counting) and masked
-- display forms; numbers inside the free text are masked before insert.
-- At-least-once delivery means the same event_id can be inserted more than once; the
-- ReplacingMergeTree keyed by event_id folds the copies (query with FINAL or GROUP BY event_id
-- for exact results before merges run; the views in later files do that for you).
CREATE DATABASE IF NOT EXISTS complaints;

CREATE TABLE IF NOT EXISTS complaints.ticket_events
(
    event_id         String,
    ticket_id        String,
    kind             LowCardinality(String),
    occurred_at      DateTime64(3, 'UTC'),
    -- the publisher's own RFC 3339 text, offset included
    occurred_at_text String,
    branch           LowCardinality(String),
    -- the type counted (after classification of 'unclassified')
    complaint_type   LowCardinality(String),
    -- the type the intake system sent
    reported_type    LowCardinality(String),
    customer_hash    String,
    customer_masked  String,
    channel          LowCardinality(String),
    outcome          LowCardinality(String),
    escalation       LowCardinality(String),
    text             String,
    satisfaction     Nullable(UInt8),
    tags             Map(String, String),
    classifier_model LowCardinality(String),
    classifier_confidence Nullable(Float32),
    needs_review     UInt8,
    stream_seq       UInt64,
    received_at      DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY event_id;
