-- Opt-outs were kept as the bare SHA-256 of the address, which anyone
-- with a candidate address could confirm. They are kept under a
-- server-side key now, HMAC-SHA256 of that SHA-256, so the old rows are
-- turned into new ones in place (store.rekeyOptOuts, after the
-- migrations), and keyed says which a row is.

-- +goose Up
ALTER TABLE optouts ADD COLUMN keyed BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE optouts DROP COLUMN keyed;
