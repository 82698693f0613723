-- Public transparency pages: the plans and sealed sessions an agency chose to
-- publish. A row here is the whole of "published": deleting it (unpublishing,
-- audited) takes the public page down at once. Whether an agency's editors may
-- publish, or only admins, is the agency's setting.
ALTER TABLE agencies ADD COLUMN editors_may_publish BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE publications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    plan_id BIGINT UNIQUE REFERENCES plans (id) ON DELETE CASCADE,
    session_id BIGINT UNIQUE REFERENCES board_sessions (id) ON DELETE CASCADE,
    published_by BIGINT REFERENCES users (id),
    published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((plan_id IS NULL) <> (session_id IS NULL))
);
CREATE INDEX publications_agency ON publications (agency_id);
