-- Where each account signed in lately, so that the sign-in limits tell its
-- owner's usual places from a stranger's: an address (an IPv6 /64 counts as
-- one) an account signed in from within 60 days is "known" for it. From a
-- known address only the limit per (account, address) applies; elsewhere the
-- account's failures also slow attempts down and the address's own failures
-- on logins not known there count. Rows unused for 60 days are purged.
CREATE TABLE login_known_addresses (
    -- The login as `login_attempts` counts it (trimmed, lowercased).
    login TEXT NOT NULL CHECK (length(login) <= 100),
    address TEXT NOT NULL CHECK (length(address) <= 64),
    last_success_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (login, address)
);
CREATE INDEX login_known_addresses_last_success ON login_known_addresses (last_success_at);
