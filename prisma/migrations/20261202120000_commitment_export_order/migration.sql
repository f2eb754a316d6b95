-- The overdue export reads commitments in (due_at, id) order, a batch at a time.
CREATE INDEX "commitment_due_at_id_idx" ON "commitment"("due_at", "id");
