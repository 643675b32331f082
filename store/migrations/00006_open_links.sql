-- Open links: one key for many respondents (a newsletter, a chamber's
-- website), as a Telegram deep link or a web address. The key is public, so
-- it is stored as it is; what it fixes (such as the chamber) is JSON.

-- +goose Up
CREATE TABLE open_links (
    key        TEXT      PRIMARY KEY,
    lang       TEXT      NOT NULL,
    fixed      TEXT      NOT NULL DEFAULT '{}',
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE open_links;
