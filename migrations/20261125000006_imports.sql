-- A spreadsheet uploaded for import, kept between its preview and its
-- application, so that what is applied is exactly what was previewed and
-- never comes back from the browser. Rows older than a day are purged.
CREATE TABLE import_uploads (
    token TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('plan', 'progress')),
    file_name TEXT NOT NULL CHECK (length(file_name) <= 300),
    content BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
