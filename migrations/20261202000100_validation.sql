-- Validation by the M&E unit (cellule de suivi-évaluation), and figures "as
-- known at" a moment, so that a sealed session is recomputed from what was
-- recorded when it was sealed.

-- Per agency, an admin chooses whether staff's updates need validation.
ALTER TABLE agencies ADD COLUMN requires_validation BOOLEAN NOT NULL DEFAULT false;

-- The M&E unit of an agency (or of an agency above it) validates.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
    CHECK (role IN ('editor', 'board', 'viewer', 'validator'));

-- An update is counted in the figures from `counted_since`: when it was
-- recorded if it needed no review, when it was validated otherwise; never
-- while submitted or once rejected. "As known at T" counts those with
-- `counted_since <= T`.
ALTER TABLE progress_updates
    ADD COLUMN review TEXT NOT NULL DEFAULT 'none'
        CHECK (review IN ('none', 'submitted', 'validated', 'rejected')),
    ADD COLUMN counted_since TIMESTAMPTZ;
UPDATE progress_updates SET counted_since = recorded_at;
ALTER TABLE progress_updates ADD CONSTRAINT progress_updates_counted CHECK (
    (review IN ('none', 'validated')) = (counted_since IS NOT NULL));

-- Every way an update is written (forms, grid, imports, the demo, the
-- generator) gets its `counted_since` from the same rule.
CREATE FUNCTION progress_update_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.review = 'none' THEN
        NEW.counted_since := NEW.recorded_at;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER progress_update_counted BEFORE INSERT ON progress_updates
    FOR EACH ROW EXECUTE FUNCTION progress_update_counted();

-- Updates stay append-only but for their one review decision: a submitted
-- update becomes validated (counted from then on) or rejected, once.
DROP TRIGGER progress_updates_append_only ON progress_updates;
CREATE FUNCTION progress_update_reviewed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.review = 'submitted' AND NEW.review IN ('validated', 'rejected')
        AND (ROW(NEW.id, NEW.activity_id, NEW.as_of, NEW.status, NEW.achieved, NEW.spent,
                 NEW.comment, NEW.author, NEW.recorded_at, NEW.user_id)
             IS NOT DISTINCT FROM
             ROW(OLD.id, OLD.activity_id, OLD.as_of, OLD.status, OLD.achieved, OLD.spent,
                 OLD.comment, OLD.author, OLD.recorded_at, OLD.user_id)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'progress_updates is append-only (but for one review of a submitted update)';
END $$;
CREATE TRIGGER progress_updates_append_only BEFORE UPDATE ON progress_updates
    FOR EACH ROW EXECUTE FUNCTION progress_update_reviewed();

-- The validation queue of an agency: its submitted updates, oldest first.
CREATE INDEX progress_updates_submitted ON progress_updates (activity_id, id)
    WHERE review = 'submitted';

-- Each decision, with who made it, when, and the reason of a rejection.
CREATE TABLE update_reviews (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    update_id BIGINT NOT NULL UNIQUE REFERENCES progress_updates (id),
    decision TEXT NOT NULL CHECK (decision IN ('validated', 'rejected')),
    reason TEXT CHECK (length(reason) <= 2000),
    reviewer_id BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CHECK (decision = 'validated' OR length(trim(reason)) >= 3)
);
CREATE TRIGGER update_reviews_append_only BEFORE UPDATE ON update_reviews
    FOR EACH ROW EXECUTE FUNCTION forbid_update();

-- "As known at": the moment set for the transaction by
-- `SET LOCAL suivi.known_at` (recomputing a sealed session), else now and
-- forever. Every query that reads dated data filters on it, so one setting
-- turns the whole computation of a session's figures back to its sealing.
CREATE FUNCTION known_at() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('suivi.known_at', true), '')::timestamptz,
                    'infinity'::timestamptz)
$$;

-- A seal is taken as of the moment it is written, after everything the
-- same transaction recorded before it.
ALTER TABLE session_seals ALTER COLUMN sealed_at SET DEFAULT clock_timestamp();
