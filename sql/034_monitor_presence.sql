-- Which monitors count into this store, and through which NATS deployment: the counting lease
-- lives in NATS, so two monitors reaching one ClickHouse server through two NATS deployments each
-- held a lease of their own and counted everything twice (server/presence.ts). A counting monitor
-- writes a row at every lease renewal (~5 s) and a `released` row at a clean stop; `written_at` is
-- this server's own clock, the only clock a row's age is measured by. Kept a day.
CREATE TABLE IF NOT EXISTS complaints.monitor_presence (instance String, host String, data_dir String, pid UInt32, started_at String, nats_deployment String, released UInt8 DEFAULT 0, written_at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY (instance, written_at) TTL toDateTime(written_at) + INTERVAL 1 DAY;
