-- AlterTable
ALTER TABLE "review" ADD COLUMN     "reflections_closed_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "reflection" (
    "id" UUID NOT NULL,
    "review_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "what_worked" TEXT,
    "what_didnt" TEXT,
    "how_to_improve" TEXT,
    "submitted_at" TIMESTAMPTZ(3),
    "prompted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reflection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reflection_person_id_idx" ON "reflection"("person_id");

-- CreateIndex
CREATE UNIQUE INDEX "reflection_review_id_person_id_key" ON "reflection"("review_id", "person_id");

-- AddForeignKey
ALTER TABLE "reflection" ADD CONSTRAINT "reflection_review_id_fkey" FOREIGN KEY ("review_id") REFERENCES "review"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reflection" ADD CONSTRAINT "reflection_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
