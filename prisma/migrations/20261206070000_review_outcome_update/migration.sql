-- The workflow update that recorded a review's outcome: the step that records it runs as a local
-- activity, which a later workflow task may repeat at another time; it knows its own earlier attempt by this.
ALTER TABLE "review" ADD COLUMN "outcome_update_id" TEXT;
