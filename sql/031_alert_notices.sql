-- The gateway notices' outbox (docs/ALERTS.md, "A notice is sent once its audit row is written").
-- A notice is written here ('written', with the message) before the audit rows of the change it
-- announces, and marked ('sent', no message) once the broker has taken it. A start sends again,
-- ahead of everything, what an earlier run wrote in the last day and never marked: a monitor that
-- died between its audit rows and the broker, or lost the counting lease while its notices
-- waited, no longer loses them (a gateway folds a repeat by `noticeId`). `at` is the wall clock
-- of the write. Kept 30 days.
CREATE TABLE IF NOT EXISTS complaints.alert_notices
(
    notice_id String,
    state     Enum8('written' = 1, 'sent' = 2),
    at        DateTime64(3, 'UTC'),
    subject   String,
    message   String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (notice_id, state, at)
TTL toDateTime(at) + INTERVAL 30 DAY;
