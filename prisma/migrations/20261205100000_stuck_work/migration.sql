-- Work that keeps failing where nobody would see it: an activity past its third attempt is recorded
-- here (and removed once it succeeds), for the admin's list of stuck work.
CREATE TABLE "stuck_activity" (
    "workflow_id" TEXT NOT NULL,
    "activity_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "activity_type" TEXT NOT NULL,
    "local" BOOLEAN NOT NULL DEFAULT false,
    "attempt" INTEGER NOT NULL,
    "last_error" TEXT NOT NULL,
    "first_failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stuck_activity_pkey" PRIMARY KEY ("workflow_id","activity_id")
);
