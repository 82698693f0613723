-- "Late" with per-period targets (issue 12). A schedule whose periods carry
-- target quantities makes an activity late once a period has ended with the
-- quantity achieved below the targets planned up to that period (summed in
-- the periods' order); a schedule without targets keeps the rule of
-- 20261202000820 (late once its first period has ended, unless done).
-- `schedule_late_from` gives the day after which an open activity is late by
-- its schedule; `schedule::late_from` is the same rule in Rust, and both
-- paths are compared by the tests.
--
-- Numbered after 20261202000820 on purpose: it replaces that migration's
-- refresh_plan_figures, so it must run after it on a new database too.
CREATE FUNCTION schedule_late_from(periods JSONB, achieved NUMERIC) RETURNS DATE
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH ended AS (
        SELECT CASE
                   WHEN p.value->>'quarter' IS NULL
                   THEN make_date((p.value->>'year')::int, 12, 31)
                   WHEN (p.value->>'quarter')::int BETWEEN 1 AND 4
                   THEN (make_date((p.value->>'year')::int, (p.value->>'quarter')::int * 3, 1)
                         + interval '1 month' - interval '1 day')::date
               END AS ends_on,
               (p.value->>'target')::numeric AS target
        FROM jsonb_array_elements(periods) AS p (value)
    ), running AS (
        SELECT ends_on, target,
               sum(COALESCE(target, 0)) OVER (ORDER BY ends_on ROWS UNBOUNDED PRECEDING)
                   AS cumulative
        FROM ended WHERE ends_on IS NOT NULL
    )
    SELECT CASE WHEN bool_or(target IS NOT NULL)
                THEN min(ends_on) FILTER (WHERE cumulative > COALESCE(achieved, 0))
                ELSE min(ends_on) END
    FROM running
$$;

-- 20261202000820's function, the schedule's end replaced by the rule above.
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
        COALESCE(array_agg(least(v.planned_end, sv.late_from)
                           ORDER BY least(v.planned_end, sv.late_from)) FILTER (
            WHERE a.retired_on IS NULL AND least(v.planned_end, sv.late_from) IS NOT NULL
            AND COALESCE(s.status, 'not_started') NOT IN ('done', 'abandoned')), '{}')
    FROM activities a
    JOIN plans pl ON pl.id = a.plan_id
    JOIN LATERAL (SELECT lv.target, lv.budget, lv.planned_end,
                         max(lv.effective_on) OVER () AS last_effective
                  FROM activity_versions lv WHERE lv.activity_id = a.id
                  ORDER BY lv.effective_on DESC, lv.recorded_at DESC, lv.id DESC LIMIT 1) v ON true
    LEFT JOIN activity_state s ON s.activity_id = a.id
    LEFT JOIN LATERAL (SELECT schedule_late_from(ls.periods, s.achieved) AS late_from,
                              max(ls.effective_on) OVER () AS last_effective
                  FROM activity_schedule_versions ls WHERE ls.activity_id = a.id
                  ORDER BY ls.effective_on DESC, ls.recorded_at DESC, ls.id DESC LIMIT 1) sv ON true
    WHERE a.plan_id = ANY (ids)
    GROUP BY a.plan_id;
END;
$$;

SELECT refresh_plan_figures(ARRAY(SELECT DISTINCT plan_id FROM activities));
