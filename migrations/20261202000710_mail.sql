-- E-mail: an address and a language per account, the kinds of mail each
-- turned off, the reminder delay per agency, the outbox that every message
-- goes through (written in the transaction of the event; a sender in each
-- instance takes rows with FOR UPDATE SKIP LOCKED), and password-reset links
-- (only their digest is kept).
ALTER TABLE users ADD COLUMN email TEXT
    CHECK (email IS NULL OR (length(email) BETWEEN 3 AND 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'));
CREATE UNIQUE INDEX users_email ON users (lower(email));
ALTER TABLE users ADD COLUMN mail_lang TEXT NOT NULL DEFAULT 'fr' CHECK (mail_lang IN ('fr', 'en'));

CREATE TABLE mail_opt_outs (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('reminder', 'sealed', 'digest', 'rejection')),
    PRIMARY KEY (user_id, kind)
);

ALTER TABLE agencies ADD COLUMN reminder_days INT NOT NULL DEFAULT 7
    CHECK (reminder_days BETWEEN 1 AND 90);

CREATE TABLE mail_outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL
        CHECK (kind IN ('reminder', 'sealed', 'digest', 'rejection', 'password_reset', 'test')),
    -- Who and what a message is about, so that a planner run twice (or by
    -- two instances) queues it once.
    dedupe_key TEXT UNIQUE,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    recipient TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    lang TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
    -- What the message says, rendered when it is sent (`mail::messages`).
    params JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at TIMESTAMPTZ,
    -- Given up after too many failures; `last_error` says the last one.
    failed_at TIMESTAMPTZ,
    last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_recent ON mail_outbox (created_at);

CREATE TABLE password_resets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- BLAKE2b of the link's token: the database never holds a usable link
    -- here (the outbox's copy goes once the message is sent).
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
