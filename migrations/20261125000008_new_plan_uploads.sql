-- An upload may also create a plan: it then names the agency and carries the
-- new plan's code, title and year instead of a plan id.
ALTER TABLE import_uploads
    ALTER COLUMN plan_id DROP NOT NULL,
    ADD COLUMN agency_id BIGINT REFERENCES agencies (id) ON DELETE CASCADE,
    ADD COLUMN new_plan JSONB,
    ADD CHECK ((plan_id IS NULL) = (new_plan IS NOT NULL));
