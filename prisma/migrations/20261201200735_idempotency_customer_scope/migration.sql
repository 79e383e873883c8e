-- Idempotency keys are scoped to the organization AND the caller's customer restriction
-- ('' = unrestricted key): a stored response only ever reaches a principal of the same scope.
ALTER TABLE "idempotency_records" ADD COLUMN "customer_scope" TEXT NOT NULL DEFAULT '';

ALTER TABLE "idempotency_records" DROP CONSTRAINT "idempotency_records_pkey",
ADD CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("org_id", "customer_scope", "key");
