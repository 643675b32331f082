-- Personal invitations: a key (sent as a Telegram deep link, a web link in
-- an e-mail, …) that leads to one respondent's response on any channel.
-- Only the key's SHA-256 is stored.

-- +goose Up
CREATE TABLE invitations (
    id            TEXT      PRIMARY KEY,
    key_hash      TEXT      NOT NULL UNIQUE,
    respondent_id TEXT      NOT NULL REFERENCES respondents (id) ON DELETE CASCADE,
    lang          TEXT      NOT NULL,
    fixed         TEXT      NOT NULL DEFAULT '{}', -- JSON: answers known beforehand, such as the chamber
    expires_at    TIMESTAMP NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP
);
CREATE INDEX invitations_respondent ON invitations (respondent_id);

-- +goose Down
DROP TABLE invitations;
