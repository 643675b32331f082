-- The ISO week a response was completed in ("2026-W48"), written with the
-- completion, so that figures by week group on a plain column in SQLite and
-- PostgreSQL alike.

-- +goose Up
ALTER TABLE responses ADD COLUMN completed_week TEXT;
CREATE INDEX responses_completed ON responses (questionnaire_id, questionnaire_version, status, completed_week);
CREATE INDEX answers_item ON answers (item_id, response_id);

-- +goose Down
DROP INDEX answers_item;
DROP INDEX responses_completed;
ALTER TABLE responses DROP COLUMN completed_week;
