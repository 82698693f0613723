-- Issue 15: "no attachments unless chosen": whoever publishes may choose to
-- show the evidence attached to the updates the figures come from (files to
-- download, links). Off for what was published before.
ALTER TABLE publications ADD COLUMN show_attachments BOOLEAN NOT NULL DEFAULT false;
