-- The case-folded display, which filters on members.display and
-- groups.display compare (both are caseExact=false).
ALTER TABLE resources ADD COLUMN fdisplay TEXT NOT NULL DEFAULT '';
