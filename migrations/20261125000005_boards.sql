-- Board sessions edited in Suivi: their agenda and attendees, and the dated
-- follow-up of each resolution.

ALTER TABLE board_sessions
    ADD COLUMN agenda TEXT CHECK (length(agenda) <= 4000),
    ADD COLUMN attendees TEXT CHECK (length(attendees) <= 4000);

-- resolutions.status is the status the resolution had when adopted; later
-- changes are follow-ups, kept in order, never rewritten: the status as of a
-- date is that of the latest follow-up noted on or before it.
CREATE TABLE resolution_follow_ups (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resolution_id BIGINT NOT NULL REFERENCES resolutions (id) ON DELETE CASCADE,
    noted_on DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'done', 'dropped')),
    note TEXT NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    user_id BIGINT REFERENCES users (id),
    author TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX resolution_follow_ups_latest
    ON resolution_follow_ups (resolution_id, noted_on DESC, id DESC);

CREATE TRIGGER resolution_follow_ups_append_only
    BEFORE UPDATE ON resolution_follow_ups
    FOR EACH ROW EXECUTE FUNCTION forbid_update();
