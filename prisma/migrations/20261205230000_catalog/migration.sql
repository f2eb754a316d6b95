-- A catalog of partners by pathway: a district's or a cohort's curated partner organizations, and the
-- applications schools and district teams make to them.
CREATE TYPE "CatalogApplicationStatus" AS ENUM ('pending', 'accepted', 'declined');

CREATE TABLE "catalog_entry" (
    "id" UUID NOT NULL,
    "district_id" UUID,
    "cohort_id" UUID,
    "partner_id" UUID NOT NULL,
    "pathways" "EngagementPathway"[],
    "description" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "catalog_entry_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "catalog_entry_district_id_partner_id_key" ON "catalog_entry"("district_id", "partner_id");
CREATE UNIQUE INDEX "catalog_entry_cohort_id_partner_id_key" ON "catalog_entry"("cohort_id", "partner_id");
ALTER TABLE "catalog_entry" ADD CONSTRAINT "catalog_entry_district_id_fkey" FOREIGN KEY ("district_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "catalog_entry" ADD CONSTRAINT "catalog_entry_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "catalog_entry" ADD CONSTRAINT "catalog_entry_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "catalog_application" (
    "id" UUID NOT NULL,
    "entry_id" UUID NOT NULL,
    "team" TEXT NOT NULL,
    "district_id" UUID NOT NULL,
    "goals" TEXT NOT NULL,
    "pathway" "EngagementPathway" NOT NULL,
    "contact_name" TEXT NOT NULL,
    "contact_email" TEXT NOT NULL,
    "status" "CatalogApplicationStatus" NOT NULL DEFAULT 'pending',
    "decision_note" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decided_by" TEXT,
    "partnership_id" UUID,
    "actor" TEXT NOT NULL,
    "actor_id" UUID,
    "actor_name" TEXT,
    "on_behalf_of_name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "catalog_application_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "catalog_application_partnership_id_key" ON "catalog_application"("partnership_id");
CREATE INDEX "catalog_application_entry_id_status_idx" ON "catalog_application"("entry_id", "status");
ALTER TABLE "catalog_application" ADD CONSTRAINT "catalog_application_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "catalog_entry"("id") ON DELETE CASCADE ON UPDATE CASCADE;
