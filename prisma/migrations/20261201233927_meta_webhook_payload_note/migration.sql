-- AlterTable
ALTER TABLE "meta_webhook_payloads" ADD COLUMN     "note" TEXT;
