import type { INestApplication } from '@nestjs/common';
import { ApiAdmission, ApiKeysService } from '@kirim/identity';
import { type AppConfig, type HttpAppOptions, RateLimiter } from '@kirim/platform';

/** Meta signs the exact bytes of its webhook (`X-Hub-Signature-256`); its batches may reach 3 MiB. */
export const META_WEBHOOK_PATH = '/webhooks/meta';
export const META_WEBHOOK_MAX_BYTES = 3 * 1024 * 1024;

/**
 * The api's options for configureHttpApp, shared by main.ts and the tests. The Meta webhook keeps its
 * raw bytes and is not parsed by the pipeline: its handler verifies the signature over `req.rawBody`
 * first, then parses with `parseJsonBody` (the same depth and text rules as every body). Admission
 * (authentication + rate-limit token) is an `onRequest` hook, before the body is read, so body errors
 * carry `X-RateLimit-*` too.
 */
export function apiHttpOptions(config: AppConfig): HttpAppOptions {
  return {
    publicUrl: config.API_PUBLIC_URL,
    rawBodyRoutes: [{ path: META_WEBHOOK_PATH, limit: META_WEBHOOK_MAX_BYTES, parseJson: false }],
    beforeBody: (app: INestApplication) => [
      new ApiAdmission(app.get(ApiKeysService), app.get(RateLimiter), { unmeteredPaths: [META_WEBHOOK_PATH] }).hook,
    ],
  };
}
