-- A measure's value may name the evidence request its figure comes from.
ALTER TABLE "measure_value" ADD COLUMN "evidence_request_id" UUID;
ALTER TABLE "measure_value" ADD CONSTRAINT "measure_value_evidence_request_id_fkey" FOREIGN KEY ("evidence_request_id") REFERENCES "evidence_request"("id") ON DELETE SET NULL ON UPDATE CASCADE;
