-- One completion per setup link talks to Meta: it claims the link (with a lease) before the first call.
ALTER TABLE "customer_setup_links" ADD COLUMN "claim_id" TEXT,
ADD COLUMN "claimed_until" TIMESTAMPTZ(3);
