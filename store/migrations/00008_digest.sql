-- The weekly digest: who gets it (a Slack channel, a Telegram chat, an
-- e-mail address), and which weeks were sent, one row per week, claimed by
-- the one instance that sends it.

-- +goose Up
CREATE TABLE digest_subscribers (
    kind       TEXT      NOT NULL CHECK (kind IN ('slack', 'telegram', 'email')),
    target     TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, target)
);

CREATE TABLE digest_runs (
    week       TEXT      PRIMARY KEY,
    claimed_at TIMESTAMP NOT NULL,
    sent       INTEGER   NOT NULL DEFAULT 0,
    failed     INTEGER   NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE digest_runs;
DROP TABLE digest_subscribers;
