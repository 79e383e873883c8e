-- CreateEnum
CREATE TYPE "customer_status" AS ENUM ('pending', 'active', 'suspended', 'archived');

-- CreateEnum
CREATE TYPE "setup_link_status" AS ENUM ('active', 'consumed', 'revoked', 'expired');

-- CreateTable
CREATE TABLE "customers" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "status" "customer_status" NOT NULL DEFAULT 'pending',
    "metadata" JSONB,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_setup_links" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "token_prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "token_last4" TEXT NOT NULL,
    "status" "setup_link_status" NOT NULL DEFAULT 'active',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "success_redirect_url" TEXT,
    "failure_redirect_url" TEXT,
    "account_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customer_setup_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "setup_link_nonces" (
    "nonce_hash" TEXT NOT NULL,
    "link_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "setup_link_nonces_pkey" PRIMARY KEY ("nonce_hash")
);

-- CreateIndex
CREATE INDEX "customers_org_id_created_at_id_idx" ON "customers"("org_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "customers_org_id_status_created_at_id_idx" ON "customers"("org_id", "status", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "customers_org_id_team_id_created_at_id_idx" ON "customers"("org_id", "team_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "customers_org_id_email_idx" ON "customers"("org_id", "email");

-- CreateIndex
CREATE INDEX "customer_setup_links_token_prefix_idx" ON "customer_setup_links"("token_prefix");

-- CreateIndex
CREATE INDEX "customer_setup_links_org_id_customer_id_created_at_id_idx" ON "customer_setup_links"("org_id", "customer_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "customer_setup_links_status_expires_at_idx" ON "customer_setup_links"("status", "expires_at");

-- CreateIndex
CREATE INDEX "setup_link_nonces_link_id_idx" ON "setup_link_nonces"("link_id");

-- CreateIndex
CREATE INDEX "setup_link_nonces_expires_at_idx" ON "setup_link_nonces"("expires_at");

-- AddForeignKey
ALTER TABLE "customer_setup_links" ADD CONSTRAINT "customer_setup_links_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "setup_link_nonces" ADD CONSTRAINT "setup_link_nonces_link_id_fkey" FOREIGN KEY ("link_id") REFERENCES "customer_setup_links"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
