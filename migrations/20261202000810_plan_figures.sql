-- Today's figures of each plan (issue 14), so that the home page and the
-- agency page read one row per plan instead of probing every activity's
-- version and state. Derived, never written by hand: the triggers below
-- recompute a plan's row in the transaction of every write that can move it
-- (a progress update or its validation through `activity_state`, a new
-- version of an activity, an activity added, moved, retired or deleted).
--
-- The row holds the figures as of any date on or after `settled_on`: the
-- latest date anything of the plan's activities takes effect (an update's
-- date, a version's effective date, an activity's added_on or retired_on).
-- From that date on, each activity's state is its latest counted update
-- (`activity_state`), its version the latest one, and the activities in
-- force are those not retired; only "late" still depends on the date, so
-- the planned ends of the open activities are kept sorted in `open_ends` and
-- counted below a date with `width_bucket` (a binary search). Before
-- `settled_on`, or "as known at" a past moment (`known_at()`), readers take
-- the exact history path.
CREATE TABLE plan_figures (
    plan_id BIGINT PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
    settled_on DATE NOT NULL,
    planned BIGINT NOT NULL,
    done BIGINT NOT NULL,
    in_progress BIGINT NOT NULL,
    not_started BIGINT NOT NULL,
    postponed BIGINT NOT NULL,
    abandoned BIGINT NOT NULL,
    above_target BIGINT NOT NULL,
    budget NUMERIC NOT NULL,
    spent NUMERIC NOT NULL,
    -- The planned ends of the activities neither done nor abandoned, sorted.
    open_ends DATE[] NOT NULL
);

-- Recomputes the rows of the plans given (a plan of 5 000 activities is a
-- few milliseconds). The plans are locked first, in id order, so that two
-- writes to the same plan queue: the second recomputes after the first has
-- committed, from a snapshot that sees it (each statement of this function
-- takes its own), and no write is lost to a concurrent recomputation.
CREATE FUNCTION refresh_plan_figures(ids BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM plans WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM plan_figures WHERE plan_id = ANY (ids);
    INSERT INTO plan_figures (plan_id, settled_on, planned, done, in_progress, not_started,
            postponed, abandoned, above_target, budget, spent, open_ends)
    SELECT a.plan_id,
        greatest(max(s.as_of), max(v.last_effective), max(a.added_on), max(a.retired_on),
                 DATE '1900-01-01'),
        count(*) FILTER (WHERE a.retired_on IS NULL),
        count(*) FILTER (WHERE a.retired_on IS NULL AND s.status = 'done'),
        count(*) FILTER (WHERE a.retired_on IS NULL AND s.status = 'in_progress'),
        count(*) FILTER (WHERE a.retired_on IS NULL
            AND (s.status IS NULL OR s.status = 'not_started')),
        count(*) FILTER (WHERE a.retired_on IS NULL AND s.status = 'postponed'),
        count(*) FILTER (WHERE a.retired_on IS NULL AND s.status = 'abandoned'),
        count(*) FILTER (WHERE a.retired_on IS NULL AND s.status = 'done'
            AND s.achieved IS NOT NULL
            AND ((v.target > 0 AND s.achieved > v.target) OR (v.target < 0 AND s.achieved < v.target))),
        COALESCE(sum(v.budget) FILTER (WHERE a.retired_on IS NULL), 0),
        COALESCE(sum(COALESCE(s.spent, 0)) FILTER (WHERE a.retired_on IS NULL), 0),
        COALESCE(array_agg(v.planned_end ORDER BY v.planned_end) FILTER (
            WHERE a.retired_on IS NULL AND v.planned_end IS NOT NULL
            AND COALESCE(s.status, 'not_started') NOT IN ('done', 'abandoned')), '{}')
    FROM activities a
    JOIN LATERAL (SELECT lv.target, lv.budget, lv.planned_end,
                         max(lv.effective_on) OVER () AS last_effective
                  FROM activity_versions lv WHERE lv.activity_id = a.id
                  ORDER BY lv.effective_on DESC, lv.recorded_at DESC, lv.id DESC LIMIT 1) v ON true
    LEFT JOIN activity_state s ON s.activity_id = a.id
    WHERE a.plan_id = ANY (ids)
    GROUP BY a.plan_id;
END;
$$;

-- One function per transition table kind: a progress update or a
-- validation (through activity_state), a new version, an activity deleted.
CREATE FUNCTION plan_figures_after_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_plan_figures(ARRAY(
        SELECT DISTINCT a.plan_id FROM activities a
        WHERE a.id IN (SELECT activity_id FROM touched)));
    RETURN NULL;
END;
$$;
CREATE TRIGGER activity_state_added_refresh_plan AFTER INSERT ON activity_state
    REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION plan_figures_after_state();
CREATE TRIGGER activity_state_moved_refresh_plan AFTER UPDATE ON activity_state
    REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION plan_figures_after_state();
-- A new version (an activity's first one included, so a new activity).
CREATE TRIGGER activity_versions_refresh_plan AFTER INSERT ON activity_versions
    REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION plan_figures_after_state();

CREATE FUNCTION plan_figures_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_plan_figures(ARRAY(SELECT DISTINCT plan_id FROM gone));
    RETURN NULL;
END;
$$;
CREATE TRIGGER activities_deleted_refresh_plan AFTER DELETE ON activities
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION plan_figures_after_delete();

-- An activity moved to another plan, added or retired at a date: only
-- these columns move the figures (the others are copies of its versions),
-- so a row trigger with a condition, not one on every edit.
CREATE FUNCTION plan_figures_after_activity_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_plan_figures(ARRAY[OLD.plan_id, NEW.plan_id]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER activities_changed_refresh_plan AFTER UPDATE ON activities
    FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id
        OR OLD.added_on IS DISTINCT FROM NEW.added_on
        OR OLD.retired_on IS DISTINCT FROM NEW.retired_on)
    EXECUTE FUNCTION plan_figures_after_activity_change();

SELECT refresh_plan_figures(ARRAY(SELECT DISTINCT plan_id FROM activities));
