-- Outdated parts are removed by each table's cleanup thread, by default every 30 s (+ up to 10 s).
-- The live pipeline inserts a small part tens of times a second; the embedded engine keeps no
-- outdated part (old_parts_lifetime 0), so every 30 s the thread removed ~1,500 parts at once and
-- held the table's parts while doing it: inserts stalled for 0.2–0.4 s twice a minute, which was
-- the whole p99 of publish-to-screen at 1,000 events/s. Cleaning every second removes a few dozen
-- at a time instead. On a server (old_parts_lifetime 480 s) the thread simply runs more often.
ALTER TABLE complaints.ticket_events MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0, max_cleanup_delay_period = 1;

ALTER TABLE complaints.dead_letters MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0, max_cleanup_delay_period = 1;

ALTER TABLE complaints.counter_changes MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0, max_cleanup_delay_period = 1;
