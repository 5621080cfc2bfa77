-- When the broker made the stream a dead letter came from. A stream made anew (deleted and made
-- again by the monitor, or a broker server that lost its disk) numbers its messages from 1 again:
-- keyed by (stream_seq, subject) alone, a new dead letter at a sequence an old one had replaced
-- the old one in this table, and the old one was gone from /api/dead-letters. A redelivered
-- poison message still folds into one row (same stream, same sequence). Rows written before this
-- file read 1970-01-01: they are the streams before, and keep folding among themselves as before.
-- The column has no DEFAULT: ClickHouse adds a column to the sorting key only in the ALTER that
-- adds it, and only without a default expression (old rows read the type's zero).
ALTER TABLE complaints.dead_letters
    ADD COLUMN IF NOT EXISTS stream_created DateTime64(3, 'UTC') AFTER stream_seq,
    MODIFY ORDER BY (stream_seq, subject, stream_created);
