-- Per-recipient outbox, delivery preferences, bounces, unsubscribe links and invitation sequences.

-- CreateEnum
CREATE TYPE "MailDelivery" AS ENUM ('immediate', 'daily_digest');

-- AlterEnum: recreated, because values added by ALTER TYPE cannot be used in the same transaction.
ALTER TYPE "EmailStatus" RENAME TO "EmailStatus_old";
CREATE TYPE "EmailStatus" AS ENUM ('pending', 'held', 'sending', 'sent', 'failed', 'bounced', 'unconfirmed');
ALTER TABLE "email_outbox" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "email_outbox" ALTER COLUMN "status" TYPE "EmailStatus" USING ("status"::text::"EmailStatus");
ALTER TABLE "email_outbox" ALTER COLUMN "status" SET DEFAULT 'pending';
DROP TYPE "EmailStatus_old";

-- AlterTable
ALTER TABLE "person"
    ADD COLUMN "time_zone" TEXT,
    ADD COLUMN "mail_delivery" "MailDelivery" NOT NULL DEFAULT 'immediate',
    ADD COLUMN "digest_hour" INTEGER NOT NULL DEFAULT 7,
    ADD COLUMN "quiet_from" TEXT,
    ADD COLUMN "quiet_until" TEXT,
    ADD COLUMN "email_bounced_at" TIMESTAMPTZ(3),
    ADD COLUMN "email_bounce" TEXT;

-- AlterTable
ALTER TABLE "partnership_member" ADD COLUMN "unsubscribe_token" UUID NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX "partnership_member_unsubscribe_token_key" ON "partnership_member"("unsubscribe_token");

-- AlterTable
ALTER TABLE "review" ADD COLUMN "calendar_sequence" INTEGER NOT NULL DEFAULT 0;

-- AlterTable: messages recorded before this migration keep their recipients, joined, as one row.
ALTER TABLE "email_outbox"
    ADD COLUMN "message_key" TEXT,
    ADD COLUMN "person_id" UUID,
    ADD COLUMN "recipient" TEXT,
    ADD COLUMN "text" TEXT NOT NULL DEFAULT '',
    ADD COLUMN "html" TEXT NOT NULL DEFAULT '',
    ADD COLUMN "ics" TEXT,
    ADD COLUMN "unsubscribe_url" TEXT,
    ADD COLUMN "in_digest" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "digest_id" UUID,
    ADD COLUMN "send_after" TIMESTAMPTZ(3),
    ADD COLUMN "first_attempt_at" TIMESTAMPTZ(3);
UPDATE "email_outbox" SET "message_key" = "idempotency_key", "recipient" = array_to_string("recipients", ', ');
ALTER TABLE "email_outbox"
    ALTER COLUMN "message_key" SET NOT NULL,
    ALTER COLUMN "recipient" SET NOT NULL,
    ALTER COLUMN "text" DROP DEFAULT,
    ALTER COLUMN "html" DROP DEFAULT,
    DROP COLUMN "recipients";

-- CreateIndex
CREATE INDEX "email_outbox_person_id_status_idx" ON "email_outbox"("person_id", "status");
CREATE INDEX "email_outbox_status_idx" ON "email_outbox"("status");

-- AddForeignKey
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;
