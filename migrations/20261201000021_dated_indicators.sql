-- An indicator's baseline and target are dated like an activity's
-- attributes (20261201000020): each change is a version in force from its
-- date, never overwritten; `indicators` keeps a copy of the latest version.
CREATE TABLE indicator_versions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    effective_on DATE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    recorded_by BIGINT REFERENCES users (id),
    baseline NUMERIC(18, 3),
    baseline_year INT,
    target NUMERIC(18, 3),
    target_year INT
);
CREATE INDEX indicator_versions_in_force
    ON indicator_versions (indicator_id, effective_on DESC, recorded_at DESC);

INSERT INTO indicator_versions (indicator_id, effective_on, recorded_at, baseline, baseline_year,
        target, target_year)
    SELECT id, DATE '1900-01-01', now(), baseline, baseline_year, target, target_year
    FROM indicators;

CREATE FUNCTION indicator_first_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO indicator_versions (indicator_id, effective_on, baseline, baseline_year,
            target, target_year)
        SELECT id, DATE '1900-01-01', baseline, baseline_year, target, target_year FROM added;
    RETURN NULL;
END $$;
CREATE TRIGGER indicator_first_version AFTER INSERT ON indicators
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION indicator_first_version();
