-- The partnership record: goals, shared framework, engagement pathway, planned start and end.
CREATE TYPE "EngagementPathway" AS ENUM ('introductory', 'pilot', 'whole_school', 'systemic');

ALTER TABLE "partnership"
  ADD COLUMN "goals" TEXT,
  ADD COLUMN "shared_framework" TEXT,
  ADD COLUMN "engagement_pathway" "EngagementPathway",
  ADD COLUMN "planned_start" TIMESTAMPTZ(3),
  ADD COLUMN "planned_end" TIMESTAMPTZ(3);
