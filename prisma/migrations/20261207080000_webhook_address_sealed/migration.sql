-- A Slack or Teams webhook's address is its channel's credential: it is stored sealed with AUTH_SECRET
-- (at the next start for the ones already there, boot/sealed-secrets.ts) and shown by this hint.
ALTER TABLE "webhook_subscription" ADD COLUMN "url_hint" TEXT;
