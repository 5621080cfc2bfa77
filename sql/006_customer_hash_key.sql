-- Which key hashed the stored customers: a fingerprint of it (an HMAC of a fixed text under the
-- key, which does not reveal the key). A monitor started with another key — a lost DATA_DIR in
-- server mode, a changed CUSTOMER_HASH_KEY — would hash every returning customer anew and count
-- them twice, so it refuses to start instead (server/hash-key-check.ts).
CREATE TABLE IF NOT EXISTS complaints.customer_hash_key
(
    fingerprint String,
    recorded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY recorded_at;
