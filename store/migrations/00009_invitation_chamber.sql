-- The chamber an invitation is for (its fixed chamber answer), so that
-- response rates per chamber count invitations without reading JSON.

-- +goose Up
ALTER TABLE invitations ADD COLUMN chamber TEXT;
CREATE INDEX invitations_chamber ON invitations (chamber);

-- +goose Down
DROP INDEX invitations_chamber;
ALTER TABLE invitations DROP COLUMN chamber;
