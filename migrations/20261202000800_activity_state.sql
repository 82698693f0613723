-- Today's state of each activity (issue 14): its latest counted progress
-- update (no validation needed, or validated), by date then by id, the same
-- rule as every "as of" figure. It is derived, never written by hand: the
-- triggers below keep it in the transaction of each statement that adds
-- updates (a save, a grid save, an import, the demo, the generator's COPY) or
-- decides on one (a validation), and the append-only history stays the source
-- of truth. A figure as of a date D, as known now, reads it when its as_of is
-- on or before D (then it is the state as of D too) and probes the history
-- otherwise.
CREATE TABLE activity_state (
    activity_id BIGINT PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    update_id BIGINT NOT NULL REFERENCES progress_updates (id) ON DELETE CASCADE,
    as_of DATE NOT NULL,
    status TEXT NOT NULL,
    achieved NUMERIC(18, 3),
    spent BIGINT,
    comment TEXT
);

-- Recomputed from the history for the activities the statement touched,
-- rather than compared with the new rows: the same answer whatever the order
-- of the rows, and one index probe per activity.
CREATE FUNCTION refresh_activity_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_state (activity_id, update_id, as_of, status, achieved, spent, comment)
    SELECT t.activity_id, u.id, u.as_of, u.status, u.achieved, u.spent, u.comment
    FROM (SELECT DISTINCT activity_id FROM touched) t
    JOIN LATERAL (SELECT p.id, p.as_of, p.status, p.achieved, p.spent, p.comment
                  FROM progress_updates p WHERE p.activity_id = t.activity_id
                  AND p.counted_since IS NOT NULL
                  ORDER BY p.as_of DESC, p.id DESC LIMIT 1) u ON true
    ON CONFLICT (activity_id) DO UPDATE SET
        update_id = EXCLUDED.update_id, as_of = EXCLUDED.as_of, status = EXCLUDED.status,
        achieved = EXCLUDED.achieved, spent = EXCLUDED.spent, comment = EXCLUDED.comment;
    RETURN NULL;
END;
$$;

-- A transition table serves one event only: one trigger for the updates
-- added, one for the review decisions (an update becomes counted once, never
-- the other way, so a state row is never removed).
CREATE TRIGGER progress_updates_refresh_state
    AFTER INSERT ON progress_updates
    REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION refresh_activity_state();
CREATE TRIGGER progress_updates_reviewed_refresh_state
    AFTER UPDATE ON progress_updates
    REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION refresh_activity_state();

INSERT INTO activity_state (activity_id, update_id, as_of, status, achieved, spent, comment)
SELECT DISTINCT ON (activity_id) activity_id, id, as_of, status, achieved, spent, comment
FROM progress_updates WHERE counted_since IS NOT NULL
ORDER BY activity_id, as_of DESC, id DESC;
