-- The funding plan is dated like activities (20261201000020): a change of
-- a funding line's source, kind, planned or mobilised amount is a version in
-- force from its date, never overwritten, so that a held session's funding
-- reads as it stood at its cutoff. `funding_lines` keeps a copy of the
-- latest version (its name stays unique in the plan); a line added after
-- the plan started is in force from `added_on` only (its first version).
ALTER TABLE funding_lines ADD COLUMN added_on DATE NOT NULL DEFAULT DATE '1900-01-01';

CREATE TABLE funding_line_versions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    funding_line_id BIGINT NOT NULL REFERENCES funding_lines (id) ON DELETE CASCADE,
    effective_on DATE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    recorded_by BIGINT REFERENCES users (id),
    source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    source_kind TEXT NOT NULL CHECK (source_kind IN ('state', 'partner', 'own')),
    planned BIGINT NOT NULL CHECK (planned >= 0),
    mobilised BIGINT NOT NULL CHECK (mobilised >= 0)
);
CREATE INDEX funding_line_versions_in_force
    ON funding_line_versions (funding_line_id, effective_on DESC, recorded_at DESC);

INSERT INTO funding_line_versions (funding_line_id, effective_on, recorded_at, source,
        source_kind, planned, mobilised)
    SELECT id, added_on, now(), source, source_kind, planned, mobilised FROM funding_lines;

-- Every way a line is created (the editor, the plan import, the demo, the
-- generator) gets its first version the same way, from its `added_on`.
CREATE FUNCTION funding_line_first_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funding_line_versions (funding_line_id, effective_on, source, source_kind,
            planned, mobilised)
        SELECT id, added_on, source, source_kind, planned, mobilised FROM added;
    RETURN NULL;
END $$;
CREATE TRIGGER funding_line_first_version AFTER INSERT ON funding_lines
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION funding_line_first_version();

-- An activity may name the funding line of its plan that pays for it; the
-- choice is one of its dated attributes, so it lives in its versions (and
-- in the copy in `activities`). The store resolves it by name within the
-- activity's plan, so a line of another plan cannot be named.
ALTER TABLE activities ADD COLUMN funding_line_id BIGINT REFERENCES funding_lines (id);
ALTER TABLE activity_versions ADD COLUMN funding_line_id BIGINT REFERENCES funding_lines (id);
CREATE INDEX activity_versions_funding ON activity_versions (funding_line_id)
    WHERE funding_line_id IS NOT NULL;

CREATE OR REPLACE FUNCTION activity_first_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_versions (activity_id, effective_on, target, unit, budget,
            responsible_unit, region_code, planned_start, planned_end, funding_line_id)
        SELECT id, DATE '1900-01-01', target, unit, budget, responsible_unit, region_code,
            planned_start, planned_end, funding_line_id
        FROM added;
    RETURN NULL;
END $$;
