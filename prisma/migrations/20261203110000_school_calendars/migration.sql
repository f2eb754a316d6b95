-- School calendars: a district's or a cohort's days without reviews, imported from an .ics file and
-- shared by their partnerships.
CREATE TABLE "school_calendar" (
    "id" UUID NOT NULL,
    "district_id" UUID,
    "cohort_id" UUID,
    "name" TEXT NOT NULL,
    "blackouts" JSONB NOT NULL DEFAULT '[]',
    "imported_at" TIMESTAMPTZ(3) NOT NULL,
    "imported_by" TEXT,

    CONSTRAINT "school_calendar_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "school_calendar_district_id_key" ON "school_calendar"("district_id");
CREATE UNIQUE INDEX "school_calendar_cohort_id_key" ON "school_calendar"("cohort_id");

ALTER TABLE "school_calendar" ADD CONSTRAINT "school_calendar_district_id_fkey" FOREIGN KEY ("district_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "school_calendar" ADD CONSTRAINT "school_calendar_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;
