-- A review that moved says from when and why (its invitation tells the members), and an outbox copy that
-- no longer applies when its delivery comes (a reminder for a review already over, a prompt for a closed
-- window, an invitation a newer one replaced) is dropped rather than sent.
ALTER TABLE "review" ADD COLUMN "moved_from" TIMESTAMPTZ(3), ADD COLUMN "move_reason" TEXT;
ALTER TYPE "EmailStatus" ADD VALUE 'dropped';
