-- The first schema: questionnaires, chambers, respondents and their channel
-- identities, responses, answers and scores. Written in the SQL that both
-- SQLite and PostgreSQL accept; ids are random text made in Go, times UTC.

-- +goose Up
CREATE TABLE questionnaires (
    id         TEXT      NOT NULL,
    version    INTEGER   NOT NULL,
    hash       TEXT      NOT NULL, -- SHA-256 of the file, so a changed file needs a new version
    source     TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE chambers (
    id         TEXT      PRIMARY KEY,
    name       TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- A respondent is a pseudonym. Who they are on a channel lives in
-- identities, apart from their answers, so erasure can cut the link.
CREATE TABLE respondents (
    id         TEXT      PRIMARY KEY,
    chamber_id TEXT      REFERENCES chambers (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE identities (
    channel       TEXT      NOT NULL, -- telegram, slack, email, web, console
    external_id   TEXT      NOT NULL, -- chat id, Slack user id, e-mail address ...
    respondent_id TEXT      NOT NULL REFERENCES respondents (id) ON DELETE CASCADE,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX identities_respondent ON identities (respondent_id);

CREATE TABLE responses (
    id                    TEXT      PRIMARY KEY,
    respondent_id         TEXT      REFERENCES respondents (id) ON DELETE SET NULL, -- NULL once erased
    questionnaire_id      TEXT      NOT NULL,
    questionnaire_version INTEGER   NOT NULL,
    status                TEXT      NOT NULL CHECK (status IN ('started', 'consented', 'completed', 'declined', 'erased')),
    lang                  TEXT      NOT NULL,
    seq                   BIGINT    NOT NULL DEFAULT 0, -- bumped by every accepted step; guards against lost updates
    started_channel       TEXT      NOT NULL,
    started_at            TIMESTAMP NOT NULL,
    consented_at          TIMESTAMP,
    consent_channel       TEXT,
    completed_at          TIMESTAMP,
    declined_at           TIMESTAMP,
    erased_at             TIMESTAMP,
    updated_at            TIMESTAMP NOT NULL,
    composite             DOUBLE PRECISION,
    tech_count            INTEGER,
    FOREIGN KEY (questionnaire_id, questionnaire_version) REFERENCES questionnaires (id, version)
);
CREATE INDEX responses_respondent ON responses (respondent_id, started_at);
CREATE INDEX responses_status ON responses (questionnaire_id, questionnaire_version, status);

CREATE TABLE answers (
    response_id TEXT      NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    item_id     TEXT      NOT NULL,
    value       TEXT      NOT NULL,
    na          BOOLEAN   NOT NULL DEFAULT FALSE,
    skipped     BOOLEAN   NOT NULL DEFAULT FALSE,
    fixed       BOOLEAN   NOT NULL DEFAULT FALSE,
    channel     TEXT      NOT NULL,
    answered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (response_id, item_id)
);

CREATE TABLE scores (
    response_id TEXT             NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    field       TEXT             NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (response_id, field)
);

-- +goose Down
DROP TABLE scores;
DROP TABLE answers;
DROP TABLE responses;
DROP TABLE identities;
DROP TABLE respondents;
DROP TABLE chambers;
DROP TABLE questionnaires;
