-- Lets 20261202000100_validation upgrade a database that already holds
-- progress updates. That migration back-fills `counted_since` on the existing
-- updates before it replaces the append-only trigger, so the old trigger
-- refused the back-fill and the upgrade stopped there; only fresh databases
-- (whose updates come after every migration) went through.
--
-- A landed migration is never edited, since sqlx keeps its checksum. This one
-- sorts just before it and disables the old trigger, which 000100 then drops
-- and replaces. Where 000100 already ran (sqlx applies a migration added
-- later out of order, after it), `counted_since` exists and the trigger in
-- place is the new one: nothing is done.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM information_schema.columns
        WHERE table_schema = current_schema()
          AND table_name = 'progress_updates' AND column_name = 'counted_since'
    ) THEN
        ALTER TABLE progress_updates DISABLE TRIGGER progress_updates_append_only;
    END IF;
END $$;
