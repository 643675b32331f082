-- Chambers by the answer code respondents choose (hwk_h, ihk_os …), and the
-- API keys of the admin API: a chamber's key sees only that chamber, a key
-- without a chamber is the operator's. Only the key's SHA-256 is stored.

-- +goose Up
ALTER TABLE chambers ADD COLUMN code TEXT;
CREATE UNIQUE INDEX chambers_code ON chambers (code);

CREATE TABLE api_keys (
    id         TEXT      PRIMARY KEY,
    key_hash   TEXT      NOT NULL UNIQUE,
    chamber_id TEXT      REFERENCES chambers (id) ON DELETE CASCADE, -- NULL: the operator
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- +goose Down
DROP TABLE api_keys;
DROP INDEX chambers_code;
ALTER TABLE chambers DROP COLUMN code;
