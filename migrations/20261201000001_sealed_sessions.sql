-- Sealed board sessions: once held, a session's figures are those of its
-- seal, a snapshot taken in the transaction that marked it held. Snapshots
-- are never changed: reopening (admins, with a reason) ends the current one,
-- sealing again adds another.
CREATE TABLE session_seals (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES board_sessions (id) ON DELETE CASCADE,
    sealed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- NULL: sealed by the system (a session held before seals existed, the demo).
    sealed_by BIGINT REFERENCES users (id),
    -- The figures as serialised by `dashboard::SessionFigures`, and the
    -- BLAKE2b digest of exactly these bytes (hex), which `suivi verify` and
    -- the dashboard check.
    figures TEXT NOT NULL,
    digest TEXT NOT NULL CHECK (digest ~ '^[0-9a-f]{128}$')
);
CREATE INDEX session_seals_session ON session_seals (session_id, sealed_at);
CREATE TRIGGER session_seals_append_only
    BEFORE UPDATE ON session_seals
    FOR EACH ROW EXECUTE FUNCTION forbid_update();

CREATE TABLE session_reopenings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES board_sessions (id) ON DELETE CASCADE,
    -- The seal this reopening ended.
    seal_id BIGINT NOT NULL UNIQUE REFERENCES session_seals (id),
    reopened_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    reopened_by BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 10 AND 2000)
);
CREATE INDEX session_reopenings_session ON session_reopenings (session_id, reopened_at);

-- The seal in force: NULL for a planned session, or a held one reopened.
ALTER TABLE board_sessions ADD COLUMN seal_id BIGINT REFERENCES session_seals (id);
