-- Attendance from calendar replies (iTIP METHOD:REPLY to a review's invitation).
CREATE TABLE "review_attendance" (
    "review_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "response" TEXT NOT NULL,
    "comment" TEXT,
    "sequence" INTEGER NOT NULL,
    "responded_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "review_attendance_pkey" PRIMARY KEY ("review_id","person_id")
);
ALTER TABLE "review_attendance" ADD CONSTRAINT "review_attendance_review_id_fkey" FOREIGN KEY ("review_id") REFERENCES "review"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "review_attendance" ADD CONSTRAINT "review_attendance_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
