-- Comments on a review, a commitment or an evidence request; the members a comment mentions are told
-- by mail through the outbox.
CREATE TYPE "CommentSubject" AS ENUM ('review', 'commitment', 'evidence_request');

CREATE TABLE "comment" (
    "id" UUID NOT NULL,
    "partnership_id" UUID NOT NULL,
    "subject" "CommentSubject" NOT NULL,
    "subject_id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "mentioned_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "actor" TEXT NOT NULL,
    "actor_id" UUID,
    "actor_name" TEXT,
    "on_behalf_of_name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comment_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "comment_partnership_id_subject_subject_id_created_at_idx" ON "comment"("partnership_id", "subject", "subject_id", "created_at");

ALTER TABLE "comment" ADD CONSTRAINT "comment_partnership_id_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;
