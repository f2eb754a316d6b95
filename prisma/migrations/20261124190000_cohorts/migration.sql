-- AlterTable
ALTER TABLE "partnership" ADD COLUMN     "cohort_id" UUID;

-- CreateTable
CREATE TABLE "cohort" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "coordinator_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cohort_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "cohort_name_key" ON "cohort"("name");

-- CreateIndex
CREATE INDEX "partnership_cohort_id_idx" ON "partnership"("cohort_id");

-- AddForeignKey
ALTER TABLE "partnership" ADD CONSTRAINT "partnership_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohort" ADD CONSTRAINT "cohort_coordinator_id_fkey" FOREIGN KEY ("coordinator_id") REFERENCES "organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;
