-- An activity's schedule (issue 12): its planned periods, quarters of the
-- plan's year or years of a multi-year plan, each with an optional target
-- quantity or cost. Dated like its other attributes (20261201000020): a
-- change is a version in force from its date, never overwritten, filtered by
-- known_at(), so that a sealed session's "late" count never moves. A version
-- holds the whole schedule as one JSON array (read with the activity in one
-- lateral join, as the plan page, the grid and every summary do), and its
-- first period's end, which is all that "late" needs. An empty array is a
-- schedule removed.
CREATE TABLE activity_schedule_versions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    effective_on DATE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    recorded_by BIGINT REFERENCES users (id),
    periods JSONB NOT NULL CHECK (jsonb_typeof(periods) = 'array'),
    first_end DATE,
    CHECK ((first_end IS NULL) = (jsonb_array_length(periods) = 0))
);
CREATE INDEX activity_schedule_versions_in_force
    ON activity_schedule_versions (activity_id, effective_on DESC, recorded_at DESC);

CREATE TRIGGER activity_schedule_versions_append_only
    BEFORE UPDATE ON activity_schedule_versions
    FOR EACH ROW EXECUTE FUNCTION forbid_update();
