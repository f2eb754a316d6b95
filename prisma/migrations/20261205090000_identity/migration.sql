-- A person's identity is theirs: every change to a person, an API key, a coordinator or a staff role
-- is in an append-only audit log; an address changes by a link sent to the new address; a link in an
-- email opens its one task for a while (a task link), never an account; a member has a side.

CREATE TABLE "audit_event" (
    "id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "actor_id" UUID,
    "actor_name" TEXT,
    "action" TEXT NOT NULL,
    "subject_kind" TEXT NOT NULL,
    "subject_id" UUID,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_event_subject_kind_subject_id_occurred_at_idx" ON "audit_event"("subject_kind", "subject_id", "occurred_at");
CREATE INDEX "audit_event_occurred_at_idx" ON "audit_event"("occurred_at");

CREATE TRIGGER audit_event_append_only
  BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_event_no_truncate
  BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

CREATE TABLE "task_link" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "person_id" UUID NOT NULL,
    "target" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "grant_hash" TEXT,
    "grant_expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "task_link_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "task_link_token_hash_key" ON "task_link"("token_hash");
CREATE UNIQUE INDEX "task_link_grant_hash_key" ON "task_link"("grant_hash");
CREATE INDEX "task_link_person_id_idx" ON "task_link"("person_id");
ALTER TABLE "task_link" ADD CONSTRAINT "task_link_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "address_change" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "new_email" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "confirmed_at" TIMESTAMPTZ(3),

    CONSTRAINT "address_change_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "address_change_token_hash_key" ON "address_change"("token_hash");
CREATE INDEX "address_change_person_id_idx" ON "address_change"("person_id");
ALTER TABLE "address_change" ADD CONSTRAINT "address_change_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The side a member is on: the partner's lead and the partner's staff on the partner's, everyone else
-- on the district's (as the staff rows made at enrolment said until now).
ALTER TABLE "partnership_member" ADD COLUMN "side" "Side" NOT NULL DEFAULT 'district';
UPDATE "partnership_member" m SET "side" = 'partner'
  FROM "partnership" p
  WHERE p."id" = m."partnership_id"
    AND (m."role" = 'partner_lead'
         OR EXISTS (SELECT 1 FROM "staff" s WHERE s."person_id" = m."person_id" AND s."organization_id" = p."partner_id"));
