-- An extension names who moved the due date (a person, a key, on whose behalf), or the system when a
-- pause moved it; older extensions have none recorded.
ALTER TABLE "commitment_extension" ADD COLUMN "actor" TEXT, ADD COLUMN "actor_id" UUID, ADD COLUMN "actor_name" TEXT, ADD COLUMN "on_behalf_of_name" TEXT;
ALTER TABLE "evidence_extension" ADD COLUMN "actor" TEXT, ADD COLUMN "actor_id" UUID, ADD COLUMN "actor_name" TEXT, ADD COLUMN "on_behalf_of_name" TEXT;
