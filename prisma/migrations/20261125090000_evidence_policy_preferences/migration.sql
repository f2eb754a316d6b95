-- CreateEnum
CREATE TYPE "EvidenceStatus" AS ENUM ('open', 'overdue', 'submitted', 'waived');

-- CreateEnum
CREATE TYPE "EvidenceKind" AS ENUM ('observation', 'interview', 'survey', 'data_team_minutes', 'student_achievement_data', 'other');

-- CreateEnum
CREATE TYPE "NotificationLevel" AS ENUM ('all', 'essential');

-- AlterTable
ALTER TABLE "partnership" ADD COLUMN "policy" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "partnership_member" ADD COLUMN "notifications" "NotificationLevel" NOT NULL DEFAULT 'all';

-- AlterTable
ALTER TABLE "commitment" ADD COLUMN "review_id" UUID;

-- CreateTable
CREATE TABLE "evidence_request" (
    "id" UUID NOT NULL,
    "partnership_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "description" TEXT NOT NULL,
    "kinds" "EvidenceKind"[],
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "EvidenceStatus" NOT NULL DEFAULT 'open',
    "review_id" UUID,
    "closed_at" TIMESTAMPTZ(3),
    "close_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evidence_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evidence_item" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "kind" "EvidenceKind" NOT NULL,
    "link" TEXT,
    "text" TEXT,
    "submitted_by_id" UUID NOT NULL,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evidence_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evidence_extension" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "from_due_at" TIMESTAMPTZ(3) NOT NULL,
    "to_due_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evidence_extension_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "evidence_request_partnership_id_status_idx" ON "evidence_request"("partnership_id", "status");

-- CreateIndex
CREATE INDEX "evidence_request_status_due_at_idx" ON "evidence_request"("status", "due_at");

-- CreateIndex
CREATE INDEX "evidence_item_request_id_idx" ON "evidence_item"("request_id");

-- CreateIndex
CREATE UNIQUE INDEX "evidence_extension_request_id_to_due_at_key" ON "evidence_extension"("request_id", "to_due_at");

-- AddForeignKey
ALTER TABLE "commitment" ADD CONSTRAINT "commitment_review_id_fkey" FOREIGN KEY ("review_id") REFERENCES "review"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evidence_request" ADD CONSTRAINT "evidence_request_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evidence_request" ADD CONSTRAINT "evidence_request_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evidence_request" ADD CONSTRAINT "evidence_request_review_id_fkey" FOREIGN KEY ("review_id") REFERENCES "review"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evidence_item" ADD CONSTRAINT "evidence_item_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "evidence_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evidence_item" ADD CONSTRAINT "evidence_item_submitted_by_id_fkey" FOREIGN KEY ("submitted_by_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evidence_extension" ADD CONSTRAINT "evidence_extension_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "evidence_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;
