-- Each copy keeps its message as data (core/mail/message.tsx), so a digest gathers messages rather
-- than pasting HTML; copies recorded before have none and are gathered by their text.
ALTER TABLE "email_outbox" ADD COLUMN "message" JSONB;
