-- An activity's target, unit, budget, responsible unit, region and planned
-- dates are dated: each change is a version in force from its date, never
-- overwritten, so that figures as of any date are computed from what was in
-- force then. `activities` keeps those columns as a copy of the latest
-- version, for the pages that only ever show the present.
CREATE TABLE activity_versions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    effective_on DATE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    recorded_by BIGINT REFERENCES users (id),
    target NUMERIC(18, 3) CHECK (target >= 0),
    unit TEXT CHECK (length(unit) <= 64),
    budget BIGINT NOT NULL DEFAULT 0 CHECK (budget >= 0),
    responsible_unit TEXT CHECK (length(responsible_unit) <= 200),
    region_code TEXT NOT NULL DEFAULT 'NAT' REFERENCES regions (code),
    planned_start DATE,
    planned_end DATE,
    CHECK (planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start)
);
CREATE INDEX activity_versions_in_force
    ON activity_versions (activity_id, effective_on DESC, recorded_at DESC);

-- The first version of an activity is in force from before any plan, so
-- that an activity reads the same as before at every date until changed.
INSERT INTO activity_versions (activity_id, effective_on, recorded_at, target, unit, budget,
        responsible_unit, region_code, planned_start, planned_end)
    SELECT id, DATE '1900-01-01', now(), target, unit, budget, responsible_unit, region_code,
        planned_start, planned_end
    FROM activities;

-- Every way an activity is created (the editor, imports, the demo, the
-- generator) gets its first version the same way; a statement-level trigger
-- so that bulk inserts of the generator stay one statement.
CREATE FUNCTION activity_first_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_versions (activity_id, effective_on, target, unit, budget,
            responsible_unit, region_code, planned_start, planned_end)
        SELECT id, DATE '1900-01-01', target, unit, budget, responsible_unit, region_code,
            planned_start, planned_end
        FROM added;
    RETURN NULL;
END $$;
CREATE TRIGGER activity_first_version AFTER INSERT ON activities
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION activity_first_version();

-- A value corrected for a past period keeps the value it replaces: the
-- current one stays in `indicator_values` (the latest recorded wins), each
-- replaced one is kept here with when and by whom it was replaced.
CREATE TABLE indicator_value_revisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    period_end DATE NOT NULL,
    period_label TEXT NOT NULL,
    value NUMERIC(18, 3) NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    replaced_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    replaced_by BIGINT REFERENCES users (id)
);
CREATE INDEX indicator_value_revisions_period
    ON indicator_value_revisions (indicator_id, period_end, replaced_at);
