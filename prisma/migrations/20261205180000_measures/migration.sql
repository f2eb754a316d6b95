-- Measures of success: a partnership's goals as a list, each with measures (from a baseline to a
-- target by a date, going up or down, read from a source), and each measure's value as recorded at
-- held reviews. Changes to a measure are timeline events with their reason.
CREATE TYPE "MeasureDirection" AS ENUM ('increase', 'decrease');

CREATE TABLE "goal" (
    "id" UUID NOT NULL,
    "partnership_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "goal_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "measure" (
    "id" UUID NOT NULL,
    "goal_id" UUID NOT NULL,
    "partnership_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "baseline" DOUBLE PRECISION NOT NULL,
    "baseline_at" TIMESTAMPTZ(3) NOT NULL,
    "target" DOUBLE PRECISION NOT NULL,
    "target_at" TIMESTAMPTZ(3) NOT NULL,
    "direction" "MeasureDirection" NOT NULL,
    "source" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "measure_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "measure_value" (
    "id" UUID NOT NULL,
    "measure_id" UUID NOT NULL,
    "review_id" UUID NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "note" TEXT,
    "actor" TEXT NOT NULL,
    "actor_id" UUID,
    "actor_name" TEXT,
    "on_behalf_of_name" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "measure_value_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "goal_partnership_id_idx" ON "goal"("partnership_id");
CREATE INDEX "measure_partnership_id_idx" ON "measure"("partnership_id");
CREATE INDEX "measure_goal_id_idx" ON "measure"("goal_id");
CREATE UNIQUE INDEX "measure_value_measure_id_review_id_key" ON "measure_value"("measure_id", "review_id");
CREATE INDEX "measure_value_review_id_idx" ON "measure_value"("review_id");

ALTER TABLE "goal" ADD CONSTRAINT "goal_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "measure" ADD CONSTRAINT "measure_goal_id_fkey" FOREIGN KEY ("goal_id") REFERENCES "goal"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "measure" ADD CONSTRAINT "measure_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "measure_value" ADD CONSTRAINT "measure_value_measure_id_fkey" FOREIGN KEY ("measure_id") REFERENCES "measure"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "measure_value" ADD CONSTRAINT "measure_value_review_id_fkey" FOREIGN KEY ("review_id") REFERENCES "review"("id") ON DELETE CASCADE ON UPDATE CASCADE;
