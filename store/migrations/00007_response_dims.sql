-- The screening answers a completed response is counted under (chamber,
-- sector, size band, postcode region), copied into the response at
-- completion, so that figures group on plain columns without joining the
-- answers. Erasure clears them with the answers.

-- +goose Up
ALTER TABLE responses ADD COLUMN dim_chamber TEXT;
ALTER TABLE responses ADD COLUMN dim_sector TEXT;
ALTER TABLE responses ADD COLUMN dim_size TEXT;
ALTER TABLE responses ADD COLUMN dim_region TEXT;
UPDATE responses SET
    dim_chamber = (SELECT a.value FROM answers a WHERE a.response_id = responses.id AND a.item_id = 'chamber' AND a.na = FALSE AND a.skipped = FALSE),
    dim_sector = (SELECT a.value FROM answers a WHERE a.response_id = responses.id AND a.item_id = 'sector' AND a.na = FALSE AND a.skipped = FALSE),
    dim_size = (SELECT a.value FROM answers a WHERE a.response_id = responses.id AND a.item_id = 'size' AND a.na = FALSE AND a.skipped = FALSE),
    dim_region = (SELECT SUBSTR(a.value, 1, 2) FROM answers a WHERE a.response_id = responses.id AND a.item_id = 'postcode' AND a.na = FALSE AND a.skipped = FALSE)
    WHERE completed_at IS NOT NULL;

-- +goose Down
ALTER TABLE responses DROP COLUMN dim_region;
ALTER TABLE responses DROP COLUMN dim_size;
ALTER TABLE responses DROP COLUMN dim_sector;
ALTER TABLE responses DROP COLUMN dim_chamber;
