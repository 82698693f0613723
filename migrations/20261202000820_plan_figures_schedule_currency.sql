-- plan_figures (20261202000810) after main's schedules and plan currencies
-- (20261202000310, 20261202000320): "late" also counts an open activity whose
-- schedule's first period ended before the date, so `open_ends` keeps the
-- earlier of its planned end and that end; the budget and spending summed are
-- those of FCFA plans only, as the summaries count them; a schedule version
-- or a plan's currency changed recomputes the plan.
CREATE OR REPLACE FUNCTION refresh_plan_figures(ids BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM plans WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM plan_figures WHERE plan_id = ANY (ids);
    INSERT INTO plan_figures (plan_id, settled_on, planned, done, in_progress, not_started,
            postponed, abandoned, above_target, budget, spent, open_ends)
    SELECT a.plan_id,
        greatest(max(s.as_of), max(v.last_effective), max(sv.last_effective), max(a.added_on),
                 max(a.retired_on), DATE '1900-01-01'),
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
        COALESCE(sum(v.budget) FILTER (WHERE a.retired_on IS NULL AND pl.currency = 'XOF'), 0),
        COALESCE(sum(COALESCE(s.spent, 0)) FILTER (
            WHERE a.retired_on IS NULL AND pl.currency = 'XOF'), 0),
        COALESCE(array_agg(least(v.planned_end, sv.first_end)
                           ORDER BY least(v.planned_end, sv.first_end)) FILTER (
            WHERE a.retired_on IS NULL AND least(v.planned_end, sv.first_end) IS NOT NULL
            AND COALESCE(s.status, 'not_started') NOT IN ('done', 'abandoned')), '{}')
    FROM activities a
    JOIN plans pl ON pl.id = a.plan_id
    JOIN LATERAL (SELECT lv.target, lv.budget, lv.planned_end,
                         max(lv.effective_on) OVER () AS last_effective
                  FROM activity_versions lv WHERE lv.activity_id = a.id
                  ORDER BY lv.effective_on DESC, lv.recorded_at DESC, lv.id DESC LIMIT 1) v ON true
    LEFT JOIN LATERAL (SELECT ls.first_end, max(ls.effective_on) OVER () AS last_effective
                  FROM activity_schedule_versions ls WHERE ls.activity_id = a.id
                  ORDER BY ls.effective_on DESC, ls.recorded_at DESC, ls.id DESC LIMIT 1) sv ON true
    LEFT JOIN activity_state s ON s.activity_id = a.id
    WHERE a.plan_id = ANY (ids)
    GROUP BY a.plan_id;
END;
$$;

CREATE TRIGGER activity_schedule_versions_refresh_plan AFTER INSERT ON activity_schedule_versions
    REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION plan_figures_after_state();

CREATE FUNCTION plan_figures_after_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_plan_figures(ARRAY[NEW.id]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER plans_currency_refresh_plan AFTER UPDATE ON plans
    FOR EACH ROW WHEN (OLD.currency IS DISTINCT FROM NEW.currency)
    EXECUTE FUNCTION plan_figures_after_currency();

SELECT refresh_plan_figures(ARRAY(SELECT DISTINCT plan_id FROM activities));
