-- A screening answer carried over from a firm's previous survey wave is a
-- proposal until the respondent confirms it (dialogs.Answer.Prefilled).
-- The flag is kept with the answer, so that a dialog rebuilt from SQL
-- after a Redis loss still asks for the confirmation and never counts an
-- unconfirmed value.

-- +goose Up
ALTER TABLE answers ADD COLUMN prefilled BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE answers DROP COLUMN prefilled;
