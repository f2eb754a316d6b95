-- AlterTable
ALTER TABLE "partnership" ADD COLUMN     "blackouts" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "ended_at" TIMESTAMPTZ(3),
ADD COLUMN     "ended_reason" TEXT,
ADD COLUMN     "outcome_grace" TEXT NOT NULL DEFAULT 'P2D',
ADD COLUMN     "recurrence_rule" TEXT,
ADD COLUMN     "recurrence_start" TEXT;

-- AlterTable
ALTER TABLE "review" ADD COLUMN     "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "decisions" TEXT[],
ADD COLUMN     "notes" TEXT,
ADD COLUMN     "original_at" TIMESTAMPTZ(3),
ADD COLUMN     "outcome_at" TIMESTAMPTZ(3),
ADD COLUMN     "skip_reason" TEXT;
