-- A digest's claim lapses if the instance that claimed it never recorded
-- the sending (it crashed, or building failed), so another instance sends it.

-- +goose Up
ALTER TABLE digest_runs ADD COLUMN sent_at TIMESTAMP;

-- +goose Down
ALTER TABLE digest_runs DROP COLUMN sent_at;
