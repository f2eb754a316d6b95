-- Planning that asks the questions: a district's or a cohort's template of planning questions, each
-- partnership's checklist copied from it, and each side's answers.
CREATE TYPE "PlanningTopic" AS ENUM ('needs', 'goals', 'roles', 'expectations', 'assessment', 'communication');

CREATE TABLE "planning_template" (
    "id" UUID NOT NULL,
    "district_id" UUID,
    "cohort_id" UUID,
    "questions" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" TEXT,
    CONSTRAINT "planning_template_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "planning_template_district_id_key" ON "planning_template"("district_id");
CREATE UNIQUE INDEX "planning_template_cohort_id_key" ON "planning_template"("cohort_id");
ALTER TABLE "planning_template" ADD CONSTRAINT "planning_template_district_id_fkey" FOREIGN KEY ("district_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "planning_template" ADD CONSTRAINT "planning_template_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "planning_question" (
    "id" UUID NOT NULL,
    "partnership_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "topic" "PlanningTopic" NOT NULL,
    "text" TEXT NOT NULL,
    CONSTRAINT "planning_question_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "planning_question_partnership_id_position_key" ON "planning_question"("partnership_id", "position");
ALTER TABLE "planning_question" ADD CONSTRAINT "planning_question_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "planning_answer" (
    "question_id" UUID NOT NULL,
    "side" "Side" NOT NULL,
    "answer" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "actor_id" UUID,
    "actor_name" TEXT,
    "on_behalf_of_name" TEXT,
    "answered_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "planning_answer_pkey" PRIMARY KEY ("question_id", "side")
);
ALTER TABLE "planning_answer" ADD CONSTRAINT "planning_answer_question_id_fkey" FOREIGN KEY ("question_id") REFERENCES "planning_question"("id") ON DELETE CASCADE ON UPDATE CASCADE;
