-- Every form is sent once: a second submission of the same form (a double click, a reload, two tabs)
-- gets the first one's answer. And a cohort's file is imported once, however many times it is sent.
CREATE TABLE "form_submission" (
    "person_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "redirect" TEXT,
    "flash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "form_submission_pkey" PRIMARY KEY ("person_id","key")
);
CREATE INDEX "form_submission_created_at_idx" ON "form_submission"("created_at");
ALTER TABLE "form_submission" ADD CONSTRAINT "form_submission_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "partnership_import" (
    "id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "file_hash" TEXT NOT NULL,
    "imported_by" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "partnership_ids" UUID[] DEFAULT ARRAY[]::UUID[],

    CONSTRAINT "partnership_import_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "partnership_import_cohort_id_file_hash_key" ON "partnership_import"("cohort_id", "file_hash");
ALTER TABLE "partnership_import" ADD CONSTRAINT "partnership_import_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;
