-- Evidence that is looked at: a lead other than its owner accepts a submitted evidence request, or
-- sends it back with a comment and a new due time (the request reopens, its workflow starts again
-- and its owner is told). Every verdict is kept, with who gave it.
CREATE TYPE "EvidenceVerdict" AS ENUM ('accepted', 'sent_back');

ALTER TABLE "evidence_request" ADD COLUMN "accepted_at" TIMESTAMPTZ(3);

CREATE TABLE "evidence_review" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "verdict" "EvidenceVerdict" NOT NULL,
    "comment" TEXT,
    "due_at" TIMESTAMPTZ(3),
    "actor" TEXT NOT NULL,
    "actor_id" UUID,
    "actor_name" TEXT,
    "on_behalf_of_name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evidence_review_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "evidence_review_request_id_idx" ON "evidence_review"("request_id");

ALTER TABLE "evidence_review" ADD CONSTRAINT "evidence_review_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "evidence_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;
