-- How an agency's own spreadsheets are read, saved under a name: the sheet,
-- the header row and each column's meaning the user chose in the preview,
-- offered again for the next file of the same shape (the same headers).
CREATE TABLE import_mappings (
    id BIGSERIAL PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind TEXT NOT NULL CHECK (kind IN ('plan', 'progress')),
    -- The file's headers, folded, to find the mapping for a file like it.
    shape TEXT NOT NULL,
    choices JSONB NOT NULL,
    saved_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    saved_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (agency_id, name)
);
CREATE INDEX import_mappings_shape ON import_mappings (agency_id, kind, shape);
