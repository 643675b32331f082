-- E-mail addresses that asked for no more messages (unsubscribe). Only a
-- hash of the lower-cased address is kept: enough to honour the opt-out,
-- not enough to mail anyone.

-- +goose Up
CREATE TABLE optouts (
    address_hash TEXT      PRIMARY KEY,
    created_at   TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE optouts;
