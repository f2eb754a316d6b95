-- Answers by reply: each copy that asks for something may carry its own reply address.
ALTER TABLE "email_outbox" ADD COLUMN "reply_to" TEXT, ADD COLUMN "reply_kind" TEXT, ADD COLUMN "reply_subject_id" UUID;
CREATE UNIQUE INDEX "email_outbox_reply_to_key" ON "email_outbox"("reply_to");

-- How an actor acted when not on a page or through the API (email).
ALTER TABLE "partnership_event" ADD COLUMN "via" TEXT;

CREATE TABLE "inbound_reply" (
    "id" UUID NOT NULL,
    "message_key" TEXT NOT NULL,
    "outbox_id" UUID,
    "partnership_id" UUID,
    "person_id" UUID,
    "from_address" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "inbound_reply_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "inbound_reply_message_key_key" ON "inbound_reply"("message_key");
CREATE INDEX "inbound_reply_partnership_id_outcome_idx" ON "inbound_reply"("partnership_id", "outcome");
ALTER TABLE "inbound_reply" ADD CONSTRAINT "inbound_reply_outbox_id_fkey" FOREIGN KEY ("outbox_id") REFERENCES "email_outbox"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "inbound_reply" ADD CONSTRAINT "inbound_reply_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "inbound_reply" ADD CONSTRAINT "inbound_reply_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
