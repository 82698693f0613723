-- Suivi core schema: agencies, plans and their trees, activities with append-only
-- progress updates, indicators, board sessions, resolutions and funding.
-- Statuses and kinds are TEXT with CHECK constraints (not enums) so that adding a
-- value is a one-line migration and sqlx maps them to plain strings.

CREATE TABLE regions (
    code TEXT PRIMARY KEY CHECK (code ~ '^[A-Z]{2,4}$'),
    name TEXT NOT NULL UNIQUE,
    position INT NOT NULL
);

-- Mali's regions (2012 map, plus the national level for activities that are not
-- tied to one region).
INSERT INTO regions (code, name, position) VALUES
    ('NAT', 'National', 0),
    ('BKO', 'District de Bamako', 1),
    ('KAY', 'Kayes', 2),
    ('KOU', 'Koulikoro', 3),
    ('SIK', 'Sikasso', 4),
    ('SEG', 'Ségou', 5),
    ('MOP', 'Mopti', 6),
    ('TOM', 'Tombouctou', 7),
    ('GAO', 'Gao', 8),
    ('KID', 'Kidal', 9),
    ('TAO', 'Taoudénit', 10),
    ('MEN', 'Ménaka', 11);

CREATE TABLE agencies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    parent_id BIGINT REFERENCES agencies (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX agencies_parent ON agencies (parent_id);

CREATE TABLE plans (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    kind TEXT NOT NULL CHECK (kind IN ('annual', 'multiyear')),
    start_year INT NOT NULL CHECK (start_year BETWEEN 1960 AND 2200),
    end_year INT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'adopted', 'in_progress', 'closed')),
    -- Each plan names its own tree levels, root first:
    -- {'Objectif stratégique','Objectif opérationnel','Action prioritaire'}.
    level_names TEXT[] NOT NULL CHECK (cardinality(level_names) BETWEEN 1 AND 6),
    -- True where titles, budgets and values were invented for the demo.
    illustrative BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (agency_id, code),
    CHECK (end_year >= start_year),
    CHECK (kind = 'multiyear' OR start_year = end_year)
);
CREATE INDEX plans_years ON plans (start_year, end_year);

CREATE TABLE plan_nodes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES plan_nodes (id) ON DELETE CASCADE,
    -- 0 for the root level; indexes plans.level_names (1-based in SQL).
    depth INT NOT NULL CHECK (depth BETWEEN 0 AND 5),
    position INT NOT NULL DEFAULT 0,
    code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    UNIQUE (plan_id, code),
    CHECK ((parent_id IS NULL) = (depth = 0))
);
CREATE INDEX plan_nodes_plan ON plan_nodes (plan_id, depth, position);
CREATE INDEX plan_nodes_parent ON plan_nodes (parent_id);

CREATE TABLE activities (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    node_id BIGINT NOT NULL REFERENCES plan_nodes (id) ON DELETE CASCADE,
    position INT NOT NULL DEFAULT 0,
    code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    target NUMERIC(18, 3) CHECK (target >= 0),
    unit TEXT CHECK (length(unit) <= 64),
    budget BIGINT NOT NULL DEFAULT 0 CHECK (budget >= 0), -- FCFA, no decimals
    responsible_unit TEXT CHECK (length(responsible_unit) <= 200),
    region_code TEXT NOT NULL DEFAULT 'NAT' REFERENCES regions (code),
    planned_start DATE,
    planned_end DATE,
    UNIQUE (plan_id, code),
    CHECK (planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start)
);
CREATE INDEX activities_plan ON activities (plan_id, position);
CREATE INDEX activities_node ON activities (node_id);

-- Progress is recorded, never overwritten: any past figure can be shown again.
CREATE TABLE progress_updates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    as_of DATE NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('not_started', 'in_progress', 'done', 'postponed', 'abandoned')),
    achieved NUMERIC(18, 3) CHECK (achieved >= 0),
    spent BIGINT CHECK (spent >= 0),
    comment TEXT CHECK (length(comment) <= 2000),
    author TEXT NOT NULL CHECK (length(author) BETWEEN 1 AND 200),
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- "The latest update on or before a date" for one activity is one index probe.
CREATE INDEX progress_updates_latest ON progress_updates (activity_id, as_of DESC, id DESC);

CREATE FUNCTION forbid_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER progress_updates_append_only
    BEFORE UPDATE ON progress_updates
    FOR EACH ROW EXECUTE FUNCTION forbid_update();

CREATE TABLE indicators (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    node_id BIGINT REFERENCES plan_nodes (id) ON DELETE CASCADE,
    position INT NOT NULL DEFAULT 0,
    code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    unit TEXT CHECK (length(unit) <= 64),
    baseline NUMERIC(18, 3),
    baseline_year INT,
    target NUMERIC(18, 3),
    target_year INT,
    -- 'increase': up is good; 'decrease': down is good ("réduire le nombre de tués").
    direction TEXT NOT NULL DEFAULT 'increase' CHECK (direction IN ('increase', 'decrease')),
    UNIQUE (plan_id, code)
);
CREATE INDEX indicators_plan ON indicators (plan_id, position);

CREATE TABLE indicator_values (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    period_label TEXT NOT NULL CHECK (length(period_label) BETWEEN 1 AND 32),
    period_end DATE NOT NULL,
    value NUMERIC(18, 3) NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (indicator_id, period_end)
);

CREATE TABLE board_sessions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    number INT NOT NULL CHECK (number > 0),
    kind TEXT NOT NULL CHECK (kind IN ('ordinary', 'extraordinary')),
    held_on DATE NOT NULL,
    cutoff DATE NOT NULL,
    place TEXT CHECK (length(place) <= 200),
    chair TEXT CHECK (length(chair) <= 200),
    reviewed_plan_id BIGINT REFERENCES plans (id),
    adopted_plan_id BIGINT REFERENCES plans (id),
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'held')),
    illustrative BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (agency_id, kind, number),
    CHECK (cutoff <= held_on)
);
CREATE INDEX board_sessions_agency ON board_sessions (agency_id, held_on);

CREATE TABLE resolutions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES board_sessions (id) ON DELETE CASCADE,
    position INT NOT NULL DEFAULT 0,
    text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    responsible_unit TEXT CHECK (length(responsible_unit) <= 200),
    due_on DATE,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_progress', 'done', 'dropped'))
);
CREATE INDEX resolutions_session ON resolutions (session_id, position);

CREATE TABLE funding_lines (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position INT NOT NULL DEFAULT 0,
    source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    source_kind TEXT NOT NULL CHECK (source_kind IN ('state', 'partner', 'own')),
    planned BIGINT NOT NULL CHECK (planned >= 0),
    mobilised BIGINT NOT NULL DEFAULT 0 CHECK (mobilised >= 0),
    UNIQUE (plan_id, source)
);
