-- Accounts, per-agency roles, the audit log, and the table of login sessions.
-- Roles are TEXT with a CHECK constraint, like the statuses of the core schema.

CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login TEXT NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    -- A PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    is_admin BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One role per user and agency; admins hold every right without rows here.
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    agency_id BIGINT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('editor', 'board', 'viewer')),
    PRIMARY KEY (user_id, agency_id)
);
CREATE INDEX user_roles_agency ON user_roles (agency_id);

-- Every change, written in the same transaction as the change itself.
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_id BIGINT REFERENCES users (id),
    action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    object_type TEXT NOT NULL CHECK (length(object_type) BETWEEN 1 AND 64),
    object_id BIGINT,
    agency_id BIGINT REFERENCES agencies (id),
    before JSONB,
    after JSONB
);
CREATE INDEX audit_log_agency ON audit_log (agency_id, at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION forbid_update();

-- Who recorded an update through the web (NULL for imported and demo rows).
ALTER TABLE progress_updates ADD COLUMN user_id BIGINT REFERENCES users (id);

-- The table of tower-sessions-sqlx-store's PostgresStore, created here (same
-- definition as its `migrate()`) so that the router can be built without an
-- extra start-up step and every instance finds it.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id TEXT PRIMARY KEY NOT NULL,
    data BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS session_expiry ON tower_sessions.session (expiry_date);
