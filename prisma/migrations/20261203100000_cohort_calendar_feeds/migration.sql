-- A cohort's calendar feed: every review of its partnerships, for coordinators' calendar apps.
ALTER TABLE "calendar_feed" ADD COLUMN "cohort_id" UUID;
ALTER TABLE "calendar_feed" ADD CONSTRAINT "calendar_feed_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;
