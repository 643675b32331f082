-- The peer figures respondents are compared with, as last published. A
-- cell (sector, size band, field) is replaced by its live value only when
-- enough more responses stand behind it (store.PublishPeers), so that no
-- two comparisons anyone is shown differ by a handful of responses that a
-- respondent who finished in between could work out.

-- +goose Up
CREATE TABLE peer_figures (
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    sector TEXT NOT NULL,
    size TEXT NOT NULL,
    field TEXT NOT NULL,
    n INTEGER NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (questionnaire_id, questionnaire_version, sector, size, field)
);

-- +goose Down
DROP TABLE peer_figures;
