import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { AppExceptionFilter } from '../errors/app-exception.filter';
import { ERROR_CATALOGUE } from '../errors/error-catalogue';
import { metricsRegistry } from '../observability/metrics';
import { EnvelopeInterceptor } from './envelope';
import { hardenHttpServer } from './http-server';
import { bodyErrorHandler, bodyLimitFor, createBodyParser, type RawBodyRoute } from './json-body';
import { requestIdMiddleware } from './request-id';
import { createValidationPipe } from './validation';

export interface HttpAppOptions {
  /** Routes whose exact bytes are kept as `req.rawBody`, each with its own limit (Meta's webhook: 3 MiB). */
  rawBodyRoutes?: RawBodyRoute[];
  /** The app's public URL; `https:` turns on HSTS. */
  publicUrl?: string;
  /**
   * Handlers that run after the request id and before the body is read, given the app (e.g. the api's
   * admission: authentication and the rate-limit token, so 413/415/`invalid_json` carry `X-RateLimit-*`).
   */
  beforeBody?: (app: INestApplication) => RequestHandler[];
}

/**
 * Everything an HTTP app of Kirim shares, applied once in main.ts and in tests (so tests exercise the
 * exact production pipeline): Node-level refusals in the envelope (see hardenHttpServer), request ids,
 * security headers (helmet), `trust proxy` from TRUST_PROXY, `/metrics` behind METRICS_TOKEN, the body
 * reader (415/413/`invalid_json`/`invalid_field_value`, raw bytes for the routes that need them),
 * validation, the `{data}` envelope, the error filter. Create the app with `{ bodyParser: false, bufferLogs: true }`.
 * Signal handling is the process's business: main.ts calls `enableShutdownHooks` (tests close apps themselves).
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions = {}): void {
  const config = app.get<AppConfig | undefined>(APP_CONFIG, { strict: false });
  const rawBodyRoutes = options.rawBodyRoutes ?? [];
  hardenHttpServer(app.getHttpServer() as Server, (path) => bodyLimitFor(rawBodyRoutes, path));
  app.useLogger(app.get(Logger));
  const express = app.getHttpAdapter().getInstance() as Express;
  express.disable('x-powered-by');
  // Forwarded headers are believed only from the proxies TRUST_PROXY names (none by default).
  express.set('trust proxy', config?.TRUST_PROXY ?? false);
  app.use(requestIdMiddleware);
  app.use(securityHeaders(options.publicUrl?.startsWith('https:') ?? false));
  if (config?.METRICS_TOKEN !== undefined) app.use('/metrics', metricsHandler(config.METRICS_TOKEN));
  for (const handler of options.beforeBody?.(app) ?? []) app.use(handler);
  app.use(createBodyParser(rawBodyRoutes));
  app.use(bodyErrorHandler);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AppExceptionFilter());
  app.useGlobalInterceptors(new EnvelopeInterceptor(app.get(Reflector)));
}

/**
 * helmet's headers on every answer: `nosniff`, `Referrer-Policy: no-referrer`, frame denial, and a CSP
 * that Swagger UI at /docs works with (its scripts are files; its styles are partly inline). Pages with
 * their own policy (the onboarding page) set their headers after this.
 */
function securityHeaders(https: boolean) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** `GET /metrics` with `Authorization: Bearer <METRICS_TOKEN>` (constant-time compare), else 401. */
function metricsHandler(token: string) {
  const expected = sha256(token);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      next();
      return;
    }
    const header = req.headers.authorization ?? '';
    const given = /^Bearer ([^\s]+)$/.exec(header)?.[1] ?? '';
    if (!timingSafeEqual(sha256(given), expected)) {
      next(new AppError('invalid_api_key', 'The metrics token is missing or wrong.'));
      return;
    }
    metricsRegistry.metrics().then(
      (text) => {
        res.setHeader('Content-Type', metricsRegistry.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.status(200).send(text);
      },
      (error: unknown) => next(error),
    );
  };
}

/** The OpenAPI 3.1 document of the public API (served at /v1/openapi.json, Swagger UI at /docs). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const codes = Object.entries(ERROR_CATALOGUE)
    .map(([code, e]) => `| ${e.status} | \`${code}\` | ${e.description} |`)
    .join('\n');
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Kirim API')
    .setVersion('1')
    .setDescription(
      'Multi-tenant WhatsApp Business platform. Errors use one envelope `{error: {type, code, message, param?, request_id}}`.\n\n' +
        '| HTTP | code | when |\n|---|---|---|\n' +
        codes,
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key `kir_live_…`' })
    .addSecurityRequirements('bearer')
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
}

export function mountOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'v1/openapi.json', raw: ['json'] });
}
