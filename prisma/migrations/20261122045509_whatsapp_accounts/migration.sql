-- CreateEnum
CREATE TYPE "whatsapp_account_status" AS ENUM ('approved', 'restricted', 'disconnected', 'archived');

-- CreateTable
CREATE TABLE "whatsapp_accounts" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "customer_id" TEXT,
    "phone_number_id" TEXT NOT NULL,
    "waba_id" TEXT NOT NULL,
    "display_phone_number" TEXT NOT NULL,
    "verified_name" TEXT NOT NULL,
    "quality_rating" TEXT NOT NULL,
    "throughput_level" TEXT NOT NULL,
    "messaging_limit_tier" TEXT,
    "status" "whatsapp_account_status" NOT NULL DEFAULT 'approved',
    "business_token_ciphertext" TEXT NOT NULL,
    "registration_pin_ciphertext" TEXT NOT NULL,
    "onboarded_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "whatsapp_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "whatsapp_accounts_phone_number_id_key" ON "whatsapp_accounts"("phone_number_id");

-- CreateIndex
CREATE INDEX "whatsapp_accounts_org_id_created_at_id_idx" ON "whatsapp_accounts"("org_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "whatsapp_accounts_org_id_status_created_at_id_idx" ON "whatsapp_accounts"("org_id", "status", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "whatsapp_accounts_org_id_customer_id_created_at_id_idx" ON "whatsapp_accounts"("org_id", "customer_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "whatsapp_accounts_org_id_team_id_created_at_id_idx" ON "whatsapp_accounts"("org_id", "team_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "whatsapp_accounts_display_phone_number_idx" ON "whatsapp_accounts"("display_phone_number");
