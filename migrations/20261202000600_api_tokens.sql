-- Personal API tokens (issue 15): a user's key to the JSON API under
-- /api/v1, with the user's own rights, limited to reading or not. Only a
-- hash of the token is kept (the token is shown once, at creation); tokens
-- are 32 random bytes, so a plain digest is enough (no password stretching).
CREATE TABLE api_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    token_hash BYTEA NOT NULL UNIQUE,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    revoked_by BIGINT REFERENCES users (id),
    -- Use: the last request and how many there were.
    last_used_at TIMESTAMPTZ,
    use_count BIGINT NOT NULL DEFAULT 0,
    -- The rate limit's fixed window: when it began and the requests in it.
    -- Kept here, in the one row each request updates anyway, so that every
    -- instance on the database shares the count.
    window_started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    window_requests INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at DESC);
