-- An activity's associated units ("Structures associées", issue 12): the
-- units that carry it out beside the responsible one, as one text. Dated
-- like the responsible unit (20261201000020): a change is a version in force
-- from its date, so that the plan as of a sealed session's cutoff shows the
-- units named then; `activities` keeps the copy of the latest version.
ALTER TABLE activities ADD COLUMN associated_units TEXT
    CHECK (length(associated_units) <= 500);
ALTER TABLE activity_versions ADD COLUMN associated_units TEXT
    CHECK (length(associated_units) <= 500);

CREATE OR REPLACE FUNCTION activity_first_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_versions (activity_id, effective_on, target, unit, budget,
            responsible_unit, associated_units, region_code, planned_start, planned_end,
            funding_line_id)
        SELECT id, DATE '1900-01-01', target, unit, budget, responsible_unit, associated_units,
            region_code, planned_start, planned_end, funding_line_id
        FROM added;
    RETURN NULL;
END $$;
