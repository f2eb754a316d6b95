-- A partnership's short rubric for evidence (criteria a lead checks submitted evidence against), and
-- each verdict's judgement of every criterion.
ALTER TABLE "partnership" ADD COLUMN "evidence_rubric" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "evidence_review" ADD COLUMN "rubric" JSONB;
