-- A cohort that learns together: the lesson of each closed inquiry cycle, which its partnership may share
-- with its cohort.
CREATE TABLE "lesson" (
    "id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "partnership_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "theme" TEXT NOT NULL,
    "tried" TEXT NOT NULL,
    "saw" TEXT NOT NULL,
    "next" TEXT NOT NULL,
    "shared_at" TIMESTAMPTZ(3),
    "actor" TEXT NOT NULL,
    "actor_id" UUID,
    "actor_name" TEXT,
    "on_behalf_of_name" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "lesson_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "lesson_cycle_id_key" ON "lesson"("cycle_id");
CREATE INDEX "lesson_partnership_id_idx" ON "lesson"("partnership_id");
CREATE INDEX "lesson_shared_at_idx" ON "lesson"("shared_at");
ALTER TABLE "lesson" ADD CONSTRAINT "lesson_cycle_id_fkey" FOREIGN KEY ("cycle_id") REFERENCES "inquiry_cycle"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "lesson" ADD CONSTRAINT "lesson_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;
