-- The order in which the monitor wrote its alert rows, beside logged_at (milliseconds). Two
-- changes of one alert in the same millisecond (two people acting at once, or a person's action
-- and a rule line of the same tick) have equal logged_at, and the latest snapshot per alert, from
-- which a restart restores the people's side, was then either row: an answered action could be
-- undone by a restart. The restore takes argMax(snapshot, (logged_at, seq)) instead.
-- seq grows with every row a monitor writes and starts above the previous run's (it starts from
-- the wall clock in microseconds; server/alerts/store.ts LogSequence). Rows written before this
-- file read 0, which orders them as before. Numbered after the last file, not among 010–019, so
-- that existing stores and new ones apply the files in the same order.
ALTER TABLE complaints.alert_log ADD COLUMN IF NOT EXISTS seq UInt64 DEFAULT 0;
