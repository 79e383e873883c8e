import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import helmet from 'helmet';
import { Logger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { AppExceptionFilter } from '../errors/app-exception.filter';
import { ERROR_CATALOGUE } from '../errors/error-catalogue';
import { httpDuration, metricsRegistry } from '../observability/metrics';
import { requestLogLine } from '../observability/logger';
import { HttpPipelineInterceptor, HttpPipelineStages } from './http-pipeline.interceptor';
import { clientErrorHandler, hardenHttpServer } from './http-server';
import { bodyLimitFor, MAX_BODY_BYTES, type RawBodyRoute, registerBodyParser } from './json-body';
import { requestIdFor } from './request-id';
import { createValidationPipe } from './validation';

export interface HttpAppOptions {
  /** Routes whose exact request bytes are kept as `req.rawBody`, each with its own limit (Meta's webhook: 3 MiB). */
  rawBodyRoutes?: RawBodyRoute[];
  /** The app's public URL; `https:` turns on HSTS. */
  publicUrl?: string;
  /**
   * `onRequest` hooks that run after the request id and the security headers and before the body is read,
   * given the app (e.g. the api's admission: authentication and the rate-limit token, so
   * 413/415/`invalid_json` carry `X-RateLimit-*`).
   */
  beforeBody?: (app: INestApplication) => onRequestAsyncHookHandler[];
}

/**
 * The HTTP adapter of every app of Kirim: Fastify (decision 48; Express cost 5× more CPU per request for
 * the same route on these machines). Request ids come from {@link requestIdFor}; forwarded headers are
 * believed only from the proxies TRUST_PROXY names (none by default); Node's parser errors are answered in
 * the envelope ({@link clientErrorHandler}); Fastify's own request logging is off (see configureHttpApp).
 */
export function createHttpAdapter(config: AppConfig | undefined): FastifyAdapter {
  const largest = Math.max(MAX_BODY_BYTES, 3 * 1024 * 1024);
  return new FastifyAdapter({
    logger: false,
    genReqId: requestIdFor,
    requestIdHeader: false,
    trustProxy: config?.TRUST_PROXY ?? false,
    bodyLimit: largest,
    clientErrorHandler,
    // Nest middleware is not used by Kirim's apps (admission, logging and metrics are hooks): no middie.
    skipMiddie: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  });
}

/**
 * Everything an HTTP app of Kirim shares, applied once in main.ts and in tests (so tests exercise the
 * exact production pipeline): Node-level refusals in the envelope (see hardenHttpServer), request ids,
 * security headers (helmet's, computed once), `/metrics` behind METRICS_TOKEN, the body reader
 * (415/413/`invalid_json`/`invalid_field_value`, raw bytes for the routes that need them), validation,
 * the `{data}` envelope, the error filter, one log line and one duration sample per answer. The app must
 * be created on {@link createHttpAdapter} with `{ bodyParser: false, bufferLogs: true }`. Signal handling is the
 * process's business: main.ts calls `enableShutdownHooks` (tests close apps themselves).
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions = {}): void {
  const config = app.get<AppConfig | undefined>(APP_CONFIG, { strict: false });
  const rawBodyRoutes = options.rawBodyRoutes ?? [];
  hardenHttpServer(app.getHttpServer() as Server, (path) => bodyLimitFor(rawBodyRoutes, path));
  app.useLogger(app.get(Logger));
  const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance() as FastifyInstance;
  const headers = securityHeaders(options.publicUrl?.startsWith('https:') ?? false);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    reply.headers(headers);
    done();
  });
  if (config?.METRICS_TOKEN !== undefined) serveMetrics(fastify, config.METRICS_TOKEN);
  for (const hook of options.beforeBody?.(app) ?? []) fastify.addHook('onRequest', hook);
  registerBodyParser(fastify, rawBodyRoutes);
  fastify.addHook('onResponse', (request, reply, done) => {
    recordAnswer(request, reply);
    done();
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AppExceptionFilter());
  app.useGlobalInterceptors(new HttpPipelineInterceptor(app.get(Reflector), app.get(HttpPipelineStages, { strict: false })));
}

/** The answer's log line ({@link requestLogLine}) and its sample of the duration histogram. */
function recordAnswer(request: FastifyRequest, reply: FastifyReply): void {
  const status = reply.statusCode;
  httpDuration.observe(
    { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(status) },
    reply.elapsedTime / 1000,
  );
  const line = requestLogLine(request, status, reply.elapsedTime);
  if (line !== undefined) PinoLogger.root[line.level](line.fields, line.msg);
}

/**
 * helmet's headers on every answer, computed once: `nosniff`, `Referrer-Policy: no-referrer`, frame
 * denial, and a CSP that Swagger UI at /docs works with (its scripts are files; its styles are partly
 * inline). Pages with their own policy (the onboarding page) set their headers after this.
 */
export function securityHeaders(https: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => {
      headers[name] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name];
    },
  };
  const middleware = helmet({
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
  middleware({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return headers;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** `GET /metrics` with `Authorization: Bearer <METRICS_TOKEN>` (constant-time compare), else 401. */
function serveMetrics(fastify: FastifyInstance, token: string): void {
  const expected = sha256(token);
  fastify.get('/metrics', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const given = /^Bearer ([^\s]+)$/.exec(header)?.[1] ?? '';
    if (!timingSafeEqual(sha256(given), expected)) throw new AppError('invalid_api_key', 'The metrics token is missing or wrong.');
    const text = await metricsRegistry.metrics();
    return reply.header('Content-Type', metricsRegistry.contentType).header('Cache-Control', 'no-store').status(200).send(text);
  });
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
