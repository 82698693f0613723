-- Plans edited in Suivi. Nothing is deleted: nodes, activities and indicators
-- are retired on a date, and those added after the plan was set up carry the
-- date they were added, so that figures as of any earlier date (a board
-- session's cutoff) stay what they were. NULL means "from the start" and
-- "still in force".
ALTER TABLE plan_nodes ADD COLUMN added_on DATE, ADD COLUMN retired_on DATE;
ALTER TABLE activities ADD COLUMN added_on DATE, ADD COLUMN retired_on DATE;
ALTER TABLE indicators ADD COLUMN added_on DATE, ADD COLUMN retired_on DATE;
