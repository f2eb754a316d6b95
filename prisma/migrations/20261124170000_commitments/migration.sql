-- CreateEnum
CREATE TYPE "Side" AS ENUM ('district', 'partner', 'shared');

-- CreateEnum
CREATE TYPE "CommitmentStatus" AS ENUM ('open', 'overdue', 'done', 'dropped');

-- CreateTable
CREATE TABLE "commitment" (
    "id" UUID NOT NULL,
    "partnership_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "side" "Side" NOT NULL,
    "description" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "CommitmentStatus" NOT NULL DEFAULT 'open',
    "closed_at" TIMESTAMPTZ(3),
    "close_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "commitment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "commitment_extension" (
    "id" UUID NOT NULL,
    "commitment_id" UUID NOT NULL,
    "from_due_at" TIMESTAMPTZ(3) NOT NULL,
    "to_due_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "commitment_extension_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "commitment_partnership_id_status_idx" ON "commitment"("partnership_id", "status");

-- CreateIndex
CREATE INDEX "commitment_status_due_at_idx" ON "commitment"("status", "due_at");

-- CreateIndex
CREATE UNIQUE INDEX "commitment_extension_commitment_id_to_due_at_key" ON "commitment_extension"("commitment_id", "to_due_at");

-- AddForeignKey
ALTER TABLE "commitment" ADD CONSTRAINT "commitment_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "commitment" ADD CONSTRAINT "commitment_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "commitment_extension" ADD CONSTRAINT "commitment_extension_commitment_id_fkey" FOREIGN KEY ("commitment_id") REFERENCES "commitment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
