-- Administration: accounts that can be disabled, failed sign-ins counted for
-- rate limiting (in the database, so the limit holds across instances), and
-- indexes for browsing the audit log newest first.

-- A disabled account keeps its history but can no longer sign in; its open
-- sessions end at their next request.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;

-- Sign-in attempts that did not (yet) succeed. A row is written before the
-- password is checked and removed if it was right, so that parallel attempts
-- count too. A successful sign-in clears the account's counter
-- (account_cleared) but not the address's. Old rows are purged.
CREATE TABLE login_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The login as typed (trimmed, lowercased, cut to 100 characters): unknown
    -- logins are counted like known ones.
    login TEXT NOT NULL CHECK (length(login) <= 100),
    -- The client's IP address as text; NULL when the server could not tell.
    address TEXT CHECK (length(address) <= 64),
    account_cleared BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX login_attempts_login ON login_attempts (login, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);
CREATE INDEX login_attempts_at ON login_attempts (at);

-- The audit log read newest first, unfiltered or by kind of object.
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_object_type ON audit_log (object_type, at);
