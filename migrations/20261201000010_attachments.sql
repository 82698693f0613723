-- Evidence for progress updates (issue 11, section 4): files (PDF, JPEG, PNG,
-- office documents) and links. Files live here, in chunks of at most 1 MB,
-- written and read one chunk at a time, so that no instance keeps anything
-- on disk and any of them can serve any file. Nothing is ever changed or
-- deleted: withdrawing an attachment adds a row to attachment_withdrawals.
CREATE TABLE attachments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- No cascade: an update that carries evidence cannot be deleted.
    update_id BIGINT NOT NULL REFERENCES progress_updates (id),
    kind TEXT NOT NULL CHECK (kind IN ('file', 'link')),
    label TEXT CHECK (length(label) BETWEEN 1 AND 200),
    -- A file: the name it was sent with (shown, never trusted), the type its
    -- content was found to be, and its size.
    file_name TEXT CHECK (length(file_name) BETWEEN 1 AND 255),
    file_type TEXT CHECK (file_type IN ('pdf', 'png', 'jpeg', 'docx', 'xlsx', 'pptx',
                                        'odt', 'ods', 'odp', 'doc', 'xls', 'ppt')),
    size_bytes BIGINT CHECK (size_bytes > 0),
    -- A link: http or https only (checked by the form too).
    url TEXT CHECK (length(url) BETWEEN 1 AND 2000 AND url ~* '^https?://'),
    added_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- NULL for the demo's and the command line's rows.
    added_by BIGINT REFERENCES users (id),
    author TEXT NOT NULL CHECK (length(author) BETWEEN 1 AND 200),
    CHECK (CASE kind
        WHEN 'file' THEN file_name IS NOT NULL AND file_type IS NOT NULL
                         AND size_bytes IS NOT NULL AND url IS NULL
        ELSE url IS NOT NULL AND file_name IS NULL AND file_type IS NULL AND size_bytes IS NULL
    END)
);
CREATE INDEX attachments_update ON attachments (update_id);
CREATE TRIGGER attachments_append_only
    BEFORE UPDATE OR DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION forbid_update();

-- The bytes of a file, chunk n covering bytes [n MB, (n + 1) MB).
CREATE TABLE attachment_chunks (
    attachment_id BIGINT NOT NULL REFERENCES attachments (id),
    n INT NOT NULL CHECK (n >= 0),
    bytes BYTEA NOT NULL CHECK (length(bytes) BETWEEN 1 AND 1048576),
    PRIMARY KEY (attachment_id, n)
);
-- Kept as they come, out of line: PDFs, JPEGs, PNGs and office files are
-- compressed already, so compressing them again would only cost time.
ALTER TABLE attachment_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
CREATE TRIGGER attachment_chunks_append_only
    BEFORE UPDATE OR DELETE ON attachment_chunks
    FOR EACH ROW EXECUTE FUNCTION forbid_update();

-- A withdrawn attachment stays, shown as such, downloadable by admins only.
CREATE TABLE attachment_withdrawals (
    attachment_id BIGINT PRIMARY KEY REFERENCES attachments (id),
    withdrawn_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    withdrawn_by BIGINT REFERENCES users (id),
    author TEXT NOT NULL CHECK (length(author) BETWEEN 1 AND 200),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500)
);
CREATE TRIGGER attachment_withdrawals_append_only
    BEFORE UPDATE OR DELETE ON attachment_withdrawals
    FOR EACH ROW EXECUTE FUNCTION forbid_update();
