-- Waves: named survey periods shared by all chambers. A respondent has at
-- most one response per wave (the unique index is what stops two
-- instances from starting two); a campaign invites to one wave. Existing
-- responses and campaigns are adopted by a first wave made from their
-- dates after the migrations run (store.adoptWaves), so nothing is lost
-- or renumbered.

-- +goose Up
CREATE TABLE waves (
    id                    TEXT      PRIMARY KEY,
    name                  TEXT      NOT NULL UNIQUE, -- "2027-1"
    starts_at             TIMESTAMP NOT NULL,
    ends_at               TIMESTAMP NOT NULL,
    questionnaire_id      TEXT      NOT NULL,
    questionnaire_version INTEGER   NOT NULL,
    created_at            TIMESTAMP NOT NULL
);
CREATE INDEX waves_starts ON waves (starts_at);
ALTER TABLE responses ADD COLUMN wave_id TEXT;
CREATE UNIQUE INDEX responses_respondent_wave ON responses (respondent_id, wave_id);
CREATE INDEX responses_wave ON responses (wave_id, status);
ALTER TABLE campaigns ADD COLUMN wave_id TEXT;

-- +goose Down
ALTER TABLE campaigns DROP COLUMN wave_id;
DROP INDEX responses_wave;
DROP INDEX responses_respondent_wave;
ALTER TABLE responses DROP COLUMN wave_id;
DROP INDEX waves_starts;
DROP TABLE waves;
