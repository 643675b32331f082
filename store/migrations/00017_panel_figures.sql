-- The panel figures of changes between two waves, as last published: per
-- field the firms that completed both waves, the sums of their scores in
-- each, and how many of them each chamber holds (JSON). A version is
-- replaced only when enough more firms stand behind it
-- (indicators.Replaces), so that no two versions anyone is shown differ by
-- the change of a handful of firms. version makes the replacement a
-- compare-and-swap between instances.

-- +goose Up
CREATE TABLE panel_figures (
    from_wave    TEXT NOT NULL,
    to_wave      TEXT NOT NULL,
    field        TEXT NOT NULL,
    n            INTEGER NOT NULL,
    total_from   DOUBLE PRECISION NOT NULL,
    total_to     DOUBLE PRECISION NOT NULL,
    held         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (from_wave, to_wave, field)
);

-- +goose Down
DROP TABLE panel_figures;
