-- The identity of this ClickHouse store: one random id, made once (migrations run one process at a
-- time, so exactly one row). The counting lease of a store is keyed by it, not by how a monitor
-- spells the server's address: two monitors naming one server two ways (a name and its address)
-- got two leases and counted into the store twice (an audit).
CREATE TABLE IF NOT EXISTS complaints.store_identity (id String, made_at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY id;
INSERT INTO complaints.store_identity (id) SELECT toString(generateUUIDv4()) WHERE (SELECT count() FROM complaints.store_identity) = 0;
