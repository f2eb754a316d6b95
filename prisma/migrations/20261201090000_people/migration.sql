-- People sign in (Better Auth: person is its user; sessions, accounts and verification values in
-- tables of their own), belong to organizations as staff, coordinate cohorts, may run the
-- installation; every event records who acted.

-- A person's single organization becomes staff rows (a person may be staff of several).
ALTER TABLE "person" DROP CONSTRAINT "person_organization_id_fkey";

-- AlterTable
ALTER TABLE "person" ADD COLUMN     "email_verified" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "image" TEXT,
ADD COLUMN     "is_admin" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "staff" (
    "person_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "is_admin" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staff_pkey" PRIMARY KEY ("person_id","organization_id")
);

-- CreateTable
CREATE TABLE "cohort_coordinator" (
    "person_id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cohort_coordinator_pkey" PRIMARY KEY ("person_id","cohort_id")
);

-- CreateTable
CREATE TABLE "auth_session" (
    "id" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ip_address" TEXT,
    "user_agent" TEXT,
    "person_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auth_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_account" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "person_id" UUID NOT NULL,
    "access_token" TEXT,
    "refresh_token" TEXT,
    "id_token" TEXT,
    "access_token_expires_at" TIMESTAMPTZ(3),
    "refresh_token_expires_at" TIMESTAMPTZ(3),
    "scope" TEXT,
    "password" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auth_account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_verification" (
    "id" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auth_verification_pkey" PRIMARY KEY ("id")
);

-- Staff, from what we knew: a person's organization if they had one, or else the side of their first
-- membership (the partner lead on the partner's side, everyone else on the district's). Only the first:
-- a later partnership listing someone did not make them that district's, and must not let its keys act
-- for them.
INSERT INTO "staff" ("person_id", "organization_id")
SELECT "id", "organization_id" FROM "person" WHERE "organization_id" IS NOT NULL;

INSERT INTO "staff" ("person_id", "organization_id")
SELECT DISTINCT ON (m."person_id") m."person_id", CASE WHEN m."role" = 'partner_lead' THEN p."partner_id" ELSE p."district_id" END
FROM "partnership_member" m JOIN "partnership" p ON p."id" = m."partnership_id"
WHERE NOT EXISTS (SELECT 1 FROM "staff" s WHERE s."person_id" = m."person_id")
ORDER BY m."person_id", p."created_at", p."id";

ALTER TABLE "person" DROP COLUMN "organization_id";

-- AlterTable
ALTER TABLE "partnership_event" ADD COLUMN     "actor_id" UUID,
ADD COLUMN     "actor_name" TEXT,
ADD COLUMN     "on_behalf_of_id" UUID,
ADD COLUMN     "on_behalf_of_name" TEXT;

-- Requests used to be recorded as 'api', before keys were named on their events.
UPDATE "partnership_event" SET "actor" = 'api_key' WHERE "actor" = 'api';

-- AlterTable
ALTER TABLE "reflection" ADD COLUMN     "updated_at" TIMESTAMPTZ(3);

-- A calendar feed is made by a key or by a person for themselves.
ALTER TABLE "calendar_feed" ALTER COLUMN "created_by_id" DROP NOT NULL,
ADD COLUMN     "created_by_person_id" UUID;

-- CreateIndex
CREATE INDEX "staff_organization_id_idx" ON "staff"("organization_id");

-- CreateIndex
CREATE INDEX "cohort_coordinator_cohort_id_idx" ON "cohort_coordinator"("cohort_id");

-- CreateIndex
CREATE UNIQUE INDEX "auth_session_token_key" ON "auth_session"("token");

-- CreateIndex
CREATE INDEX "auth_session_person_id_idx" ON "auth_session"("person_id");

-- CreateIndex
CREATE INDEX "auth_account_person_id_idx" ON "auth_account"("person_id");

-- CreateIndex
CREATE INDEX "auth_verification_identifier_idx" ON "auth_verification"("identifier");

-- AddForeignKey
ALTER TABLE "staff" ADD CONSTRAINT "staff_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff" ADD CONSTRAINT "staff_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohort_coordinator" ADD CONSTRAINT "cohort_coordinator_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohort_coordinator" ADD CONSTRAINT "cohort_coordinator_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_session" ADD CONSTRAINT "auth_session_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_account" ADD CONSTRAINT "auth_account_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_feed" ADD CONSTRAINT "calendar_feed_created_by_person_id_fkey" FOREIGN KEY ("created_by_person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
