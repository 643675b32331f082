-- Chambers' members, their campaigns and every message a campaign sends.
-- A member is a chamber's contact (company, address, preferred channels);
-- the pseudonymous respondent who answers is linked once invited. A
-- campaign invites members; each invitation gets one message per kind
-- (the invitation, each reminder), and the message row is the idempotency
-- key of that send: it goes from queued to sending before the platform is
-- called and never back, so a worker that dies mid-send cannot send twice.

-- +goose Up
CREATE TABLE members (
    id            TEXT      PRIMARY KEY,
    chamber_id    TEXT      NOT NULL REFERENCES chambers (id) ON DELETE CASCADE,
    member_no     TEXT,                         -- the chamber's own number, if any
    company       TEXT      NOT NULL,
    contact_name  TEXT      NOT NULL DEFAULT '',
    email         TEXT,                         -- lower-cased
    telegram      BOOLEAN   NOT NULL DEFAULT FALSE, -- prefers Telegram
    slack         TEXT,                         -- Slack user id or the e-mail address in Slack
    sector        TEXT      NOT NULL DEFAULT '',
    size_band     TEXT      NOT NULL DEFAULT '',
    district      TEXT      NOT NULL DEFAULT '',
    lang          TEXT      NOT NULL DEFAULT 'de',
    consent       BOOLEAN   NOT NULL DEFAULT FALSE, -- agreed to be contacted
    respondent_id TEXT      REFERENCES respondents (id) ON DELETE SET NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX members_member_no ON members (chamber_id, member_no);
CREATE UNIQUE INDEX members_email ON members (chamber_id, email);
CREATE INDEX members_respondent ON members (respondent_id);

CREATE TABLE campaigns (
    id            TEXT      PRIMARY KEY,
    chamber_id    TEXT      NOT NULL REFERENCES chambers (id) ON DELETE CASCADE,
    name          TEXT      NOT NULL,
    questionnaire_id      TEXT    NOT NULL,     -- the chamber's module file, or the shared core
    questionnaire_version INTEGER NOT NULL,
    channels      TEXT      NOT NULL,           -- in order of preference: email,telegram,slack
    starts_at     TIMESTAMP NOT NULL,
    ends_at       TIMESTAMP NOT NULL,
    reminders     TEXT      NOT NULL DEFAULT '', -- days after the invitation: 7,14
    quiet_from    TEXT      NOT NULL DEFAULT '20:00',
    quiet_until   TEXT      NOT NULL DEFAULT '08:00',
    quiet_sunday  BOOLEAN   NOT NULL DEFAULT TRUE,
    timezone      TEXT      NOT NULL DEFAULT 'Europe/Berlin',
    lang          TEXT      NOT NULL DEFAULT 'de', -- for members without a language
    personal      BOOLEAN   NOT NULL DEFAULT TRUE, -- personal invitations to members
    open_link     TEXT,                         -- key of the campaign's open link, if any
    status        TEXT      NOT NULL CHECK (status IN ('draft', 'running', 'paused', 'ended')),
    created_at    TIMESTAMP NOT NULL,
    launched_at   TIMESTAMP
);
CREATE INDEX campaigns_chamber ON campaigns (chamber_id);

-- campaign_id and member_id carry no foreign key: campaigns and members
-- are never deleted on their own, and a launch writes 100,000 invitations
-- in one transaction, where every foreign key is a lookup per row.
ALTER TABLE invitations ADD COLUMN campaign_id TEXT;
ALTER TABLE invitations ADD COLUMN member_id TEXT;
ALTER TABLE invitations ADD COLUMN opened_at TIMESTAMP;
CREATE UNIQUE INDEX invitations_campaign_member ON invitations (campaign_id, member_id);

CREATE TABLE campaign_messages (
    id            TEXT      PRIMARY KEY,
    campaign_id   TEXT      NOT NULL,           -- the invitation's campaign (no foreign key, as above)
    invitation_id TEXT      NOT NULL REFERENCES invitations (id) ON DELETE CASCADE, -- erasure takes the messages along
    kind          TEXT      NOT NULL,           -- invitation, reminder-7, reminder-2026-11-25
    channel       TEXT      NOT NULL,
    status        TEXT      NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    reason        TEXT      NOT NULL DEFAULT '',
    attempts      INTEGER   NOT NULL DEFAULT 0,
    queued_at     TIMESTAMP NOT NULL,
    sent_at       TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (invitation_id, kind)
);
CREATE INDEX campaign_messages_campaign ON campaign_messages (campaign_id, status);

-- Secrets the instances share and generate on first use, such as the key
-- that derives campaign invitation keys when the config names none.
CREATE TABLE secrets (
    name       TEXT      PRIMARY KEY,
    value      TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE secrets;
DROP TABLE campaign_messages;
DROP INDEX invitations_campaign_member;
ALTER TABLE invitations DROP COLUMN opened_at;
ALTER TABLE invitations DROP COLUMN member_id;
ALTER TABLE invitations DROP COLUMN campaign_id;
DROP TABLE campaigns;
DROP TABLE members;
