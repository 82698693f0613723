-- Issue 15: a public page names no staff and shows no comments "unless
-- chosen": whoever publishes may choose to show the comments of the updates
-- the figures come from. Off for what was published before.
ALTER TABLE publications ADD COLUMN show_comments BOOLEAN NOT NULL DEFAULT false;
