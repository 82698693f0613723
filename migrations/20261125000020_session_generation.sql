-- Ending an account's other sessions when its password changes. Sessions are
-- opaque rows of tower-sessions (no user column to search), so each session
-- keeps the account's generation from its sign-in instead, and a session whose
-- generation is no longer the account's is over at its next request. A new
-- password increments the generation; the session that changed it is stamped
-- with the new one. Sessions from before this migration count as generation 0.
ALTER TABLE users ADD COLUMN session_generation BIGINT NOT NULL DEFAULT 0;
