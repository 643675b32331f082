-- Inputs that were applied, by the key their channel gave them (such as a
-- Telegram update_id), recorded in the same transaction as the answer they
-- carried: a redelivered input is recognised even after a crash or restart.

-- +goose Up
CREATE TABLE input_keys (
    key         TEXT      PRIMARY KEY,
    response_id TEXT      NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX input_keys_created ON input_keys (created_at);

-- +goose Down
DROP TABLE input_keys;
