-- Search: an activity is found by the words of its code and title, in French,
-- accents or not ("securite" finds "sécurité"). `suivi_fr` is PostgreSQL's
-- french configuration with unaccent before the stemmer; the words are kept
-- in a generated column (recomputed when a title changes) so that ranking a
-- common word across 600 000 activities reads stored vectors instead of
-- parsing every title again, and a GIN index finds the matching rows.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH CONFIGURATION suivi_fr (COPY = french);
ALTER TEXT SEARCH CONFIGURATION suivi_fr
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;

ALTER TABLE activities ADD COLUMN search_words tsvector
    GENERATED ALWAYS AS (to_tsvector('suivi_fr'::regconfig, code || ' ' || title)) STORED;
CREATE INDEX activities_search ON activities USING GIN (search_words);
