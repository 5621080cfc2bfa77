-- Messages that could not be counted, with why. The payload is masked like everything else.
-- Keyed by stream sequence so a redelivered poison message is kept once.
CREATE TABLE IF NOT EXISTS complaints.dead_letters
(
    received_at DateTime64(3, 'UTC'),
    code        LowCardinality(String),
    reason      String,
    subject     String,
    stream_seq  UInt64,
    payload     String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (stream_seq, subject);
