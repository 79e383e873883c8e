import type { INestApplication } from '@nestjs/common';
import { ApiAdmissionMiddleware, ApiKeysService } from '@kirim/identity';
import { type AppConfig, type HttpAppOptions, RateLimiter } from '@kirim/platform';

/** Meta signs the exact bytes of its webhook (`X-Hub-Signature-256`); its batches may reach 3 MiB. */
export const META_WEBHOOK_PATH = '/webhooks/meta';
export const META_WEBHOOK_MAX_BYTES = 3 * 1024 * 1024;

/**
 * The api's options for configureHttpApp, shared by main.ts and the tests. The Meta webhook keeps its
 * raw bytes and is not parsed by the pipeline: its handler verifies the signature over `req.rawBody`
 * first, then parses with `parseJsonBody` (the same depth and text rules as every body). Admission
 * (authentication + rate-limit token) runs before the body is read, so body errors carry `X-RateLimit-*`
 * too; AppModule also registers it for every route (it admits a request once).
 */
export function apiHttpOptions(config: AppConfig): HttpAppOptions {
  return {
    publicUrl: config.API_PUBLIC_URL,
    rawBodyRoutes: [{ path: META_WEBHOOK_PATH, limit: META_WEBHOOK_MAX_BYTES, parseJson: false }],
    beforeBody: (app: INestApplication) => {
      // Nest middleware classes are not providers: the same admission, built from the app's services.
      const admission = new ApiAdmissionMiddleware(app.get(ApiKeysService), app.get(RateLimiter));
      return [(req, res, next) => admission.use(req, res, next)];
    },
  };
}
