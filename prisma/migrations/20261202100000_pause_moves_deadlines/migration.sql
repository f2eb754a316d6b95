-- When the current pause began, so that resuming moves open deadlines by the pause's length.
ALTER TABLE "partnership" ADD COLUMN "paused_at" TIMESTAMPTZ(3);
