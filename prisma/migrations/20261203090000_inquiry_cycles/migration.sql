-- Inquiry cycles: plan, do, study, act, then a reflection; each phase has an owner and a due date,
-- carried while under way by a commitment with the phase's id.
CREATE TYPE "InquiryPhaseName" AS ENUM ('plan', 'do', 'study', 'act', 'reflect');
CREATE TYPE "InquiryCycleStatus" AS ENUM ('open', 'closed', 'ended');
CREATE TYPE "InquiryDecision" AS ENUM ('adopt', 'adapt', 'abandon');

CREATE TABLE "inquiry_cycle" (
    "id" UUID NOT NULL,
    "partnership_id" UUID NOT NULL,
    "cohort_id" UUID,
    "number" INTEGER NOT NULL,
    "question" TEXT NOT NULL,
    "status" "InquiryCycleStatus" NOT NULL DEFAULT 'open',
    "current_phase" "InquiryPhaseName" DEFAULT 'plan',
    "decision" "InquiryDecision",
    "previous_id" UUID,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inquiry_cycle_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "inquiry_phase" (
    "id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "phase" "InquiryPhaseName" NOT NULL,
    "owner_id" UUID NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "record" JSONB,
    "recorded_at" TIMESTAMPTZ(3),
    "recorded_by" TEXT,

    CONSTRAINT "inquiry_phase_pkey" PRIMARY KEY ("id")
);

ALTER TABLE "commitment" ADD COLUMN "inquiry_phase_id" UUID;

CREATE UNIQUE INDEX "inquiry_cycle_previous_id_key" ON "inquiry_cycle"("previous_id");
CREATE INDEX "inquiry_cycle_cohort_id_idx" ON "inquiry_cycle"("cohort_id");
CREATE UNIQUE INDEX "inquiry_cycle_partnership_id_number_key" ON "inquiry_cycle"("partnership_id", "number");
CREATE INDEX "inquiry_phase_owner_id_idx" ON "inquiry_phase"("owner_id");
CREATE UNIQUE INDEX "inquiry_phase_cycle_id_phase_key" ON "inquiry_phase"("cycle_id", "phase");
CREATE UNIQUE INDEX "commitment_inquiry_phase_id_key" ON "commitment"("inquiry_phase_id");

ALTER TABLE "inquiry_cycle" ADD CONSTRAINT "inquiry_cycle_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "inquiry_cycle" ADD CONSTRAINT "inquiry_cycle_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "inquiry_cycle" ADD CONSTRAINT "inquiry_cycle_previous_id_fkey" FOREIGN KEY ("previous_id") REFERENCES "inquiry_cycle"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "inquiry_phase" ADD CONSTRAINT "inquiry_phase_cycle_id_fkey" FOREIGN KEY ("cycle_id") REFERENCES "inquiry_cycle"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "inquiry_phase" ADD CONSTRAINT "inquiry_phase_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "commitment" ADD CONSTRAINT "commitment_inquiry_phase_id_fkey" FOREIGN KEY ("inquiry_phase_id") REFERENCES "inquiry_phase"("id") ON DELETE SET NULL ON UPDATE CASCADE;
