-- A copy sent (or dropped) no longer needs its links' tokens: the mail sweep replaces them
-- (core/mail/redact-links.ts) and marks the copy, so that a database dump holds no working sign-in.
ALTER TABLE "email_outbox" ADD COLUMN "links_redacted" BOOLEAN NOT NULL DEFAULT false;

-- What the sweep looks for, kept small: only copies still to redact are in it.
CREATE INDEX "email_outbox_links_to_redact_idx" ON "email_outbox" ("sent_at") WHERE NOT "links_redacted" AND "status" IN ('sent', 'dropped');
