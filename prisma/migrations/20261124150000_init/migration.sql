-- CreateEnum
CREATE TYPE "OrganizationKind" AS ENUM ('district', 'partner', 'coordinating_body');

-- CreateEnum
CREATE TYPE "PartnershipStatus" AS ENUM ('planning', 'active', 'paused', 'completed', 'ended_early');

-- CreateEnum
CREATE TYPE "MemberRole" AS ENUM ('executive_sponsor', 'district_lead', 'partner_lead', 'participant');

-- CreateEnum
CREATE TYPE "ReviewStatus" AS ENUM ('scheduled', 'held', 'skipped', 'missed');

-- CreateEnum
CREATE TYPE "EmailStatus" AS ENUM ('pending', 'sent', 'failed');

-- CreateTable
CREATE TABLE "organization" (
    "id" UUID NOT NULL,
    "kind" "OrganizationKind" NOT NULL,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "person" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "organization_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partnership" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "district_id" UUID NOT NULL,
    "partner_id" UUID NOT NULL,
    "status" "PartnershipStatus" NOT NULL DEFAULT 'planning',
    "time_zone" TEXT NOT NULL,
    "reminder_offsets" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "partnership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partnership_member" (
    "partnership_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "role" "MemberRole" NOT NULL,

    CONSTRAINT "partnership_member_pkey" PRIMARY KEY ("partnership_id","person_id")
);

-- CreateTable
CREATE TABLE "review" (
    "id" UUID NOT NULL,
    "partnership_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "scheduled_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "ReviewStatus" NOT NULL DEFAULT 'scheduled',

    CONSTRAINT "review_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_outbox" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "partnership_id" UUID,
    "template" TEXT NOT NULL,
    "recipients" TEXT[],
    "subject" TEXT NOT NULL,
    "status" "EmailStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "due_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "provider_message_id" TEXT,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partnership_event" (
    "id" BIGSERIAL NOT NULL,
    "partnership_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "partnership_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organization_kind_name_key" ON "organization"("kind", "name");

-- CreateIndex
CREATE UNIQUE INDEX "person_email_key" ON "person"("email");

-- CreateIndex
CREATE INDEX "partnership_district_id_idx" ON "partnership"("district_id");

-- CreateIndex
CREATE INDEX "partnership_partner_id_idx" ON "partnership"("partner_id");

-- CreateIndex
CREATE INDEX "partnership_member_person_id_idx" ON "partnership_member"("person_id");

-- CreateIndex
CREATE INDEX "review_scheduled_at_idx" ON "review"("scheduled_at");

-- CreateIndex
CREATE UNIQUE INDEX "review_partnership_id_sequence_key" ON "review"("partnership_id", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "email_outbox_idempotency_key_key" ON "email_outbox"("idempotency_key");

-- CreateIndex
CREATE INDEX "email_outbox_partnership_id_idx" ON "email_outbox"("partnership_id");

-- CreateIndex
CREATE UNIQUE INDEX "partnership_event_idempotency_key_key" ON "partnership_event"("idempotency_key");

-- CreateIndex
CREATE INDEX "partnership_event_partnership_id_occurred_at_idx" ON "partnership_event"("partnership_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "person" ADD CONSTRAINT "person_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partnership" ADD CONSTRAINT "partnership_district_id_fkey" FOREIGN KEY ("district_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partnership" ADD CONSTRAINT "partnership_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partnership_member" ADD CONSTRAINT "partnership_member_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partnership_member" ADD CONSTRAINT "partnership_member_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review" ADD CONSTRAINT "review_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partnership_event" ADD CONSTRAINT "partnership_event_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;
