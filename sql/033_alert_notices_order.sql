-- The order of the gateway notices written in one write (sql/031): notices of one alert written
-- together (a burst's changes, a start's re-derivation) share `at` to the millisecond, and the
-- start that sent them again ordered them by their ids, which are hashes: a gateway's last word
-- could be the older figure (verify AH 2). `seq` is a notice's place in its write.
ALTER TABLE complaints.alert_notices ADD COLUMN IF NOT EXISTS seq UInt32 DEFAULT 0 AFTER at;
