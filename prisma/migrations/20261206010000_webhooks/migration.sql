-- Webhooks: subscriptions, their deliveries (written with the event) and every attempt.
CREATE TABLE "webhook_subscription" (
    "id" UUID NOT NULL,
    "organization_id" UUID,
    "cohort_id" UUID,
    "url" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "events" TEXT[],
    "description" TEXT NOT NULL DEFAULT '',
    "secret" TEXT,
    "previous_secret" TEXT,
    "previous_secret_until" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL DEFAULT 'active',
    "paused_at" TIMESTAMPTZ(3),
    "paused_reason" TEXT,
    "failing_since" TIMESTAMPTZ(3),
    "created_by_person_id" UUID,
    "created_by_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_subscription_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "webhook_delivery" (
    "id" UUID NOT NULL,
    "subscription_id" UUID NOT NULL,
    "event_id" BIGINT NOT NULL,
    "partnership_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "webhook_attempt" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "status_code" INTEGER,
    "response" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    CONSTRAINT "webhook_attempt_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_subscription_organization_id_idx" ON "webhook_subscription"("organization_id");
CREATE INDEX "webhook_subscription_cohort_id_idx" ON "webhook_subscription"("cohort_id");
CREATE INDEX "webhook_delivery_subscription_id_status_event_id_idx" ON "webhook_delivery"("subscription_id", "status", "event_id");
CREATE UNIQUE INDEX "webhook_delivery_subscription_id_event_id_key" ON "webhook_delivery"("subscription_id", "event_id");
CREATE INDEX "webhook_attempt_delivery_id_at_idx" ON "webhook_attempt"("delivery_id", "at");
ALTER TABLE "webhook_subscription" ADD CONSTRAINT "webhook_subscription_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_subscription" ADD CONSTRAINT "webhook_subscription_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "partnership_event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_attempt" ADD CONSTRAINT "webhook_attempt_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A delivery waiting to go (written with its event, or set pending again to redeliver) wakes the worker's
-- relay at commit, which starts or signals its subscription's workflow (activities/webhooks/relay.ts).
-- NOTIFY sends one of equal payloads per transaction, so a burst costs one wake per subscription.
CREATE FUNCTION "webhook_delivery_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tandem_webhooks', NEW.subscription_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER "webhook_delivery_pending" AFTER INSERT OR UPDATE OF "status" ON "webhook_delivery"
  FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION "webhook_delivery_notify"();
