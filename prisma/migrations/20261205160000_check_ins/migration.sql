-- The honest check-in that comes with each reflection: the member's rating of the partnership on the
-- five dimensions of the partnership literature (1 to 5, each may be left out) and a comment. Leads
-- see them only aggregated by side (core/reflections/check-ins.ts).
ALTER TABLE "reflection"
  ADD COLUMN "rating_relationship" INTEGER CHECK ("rating_relationship" BETWEEN 1 AND 5),
  ADD COLUMN "rating_content" INTEGER CHECK ("rating_content" BETWEEN 1 AND 5),
  ADD COLUMN "rating_delivery" INTEGER CHECK ("rating_delivery" BETWEEN 1 AND 5),
  ADD COLUMN "rating_results" INTEGER CHECK ("rating_results" BETWEEN 1 AND 5),
  ADD COLUMN "rating_communication" INTEGER CHECK ("rating_communication" BETWEEN 1 AND 5),
  ADD COLUMN "check_in_comment" TEXT;
