import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppExceptionFilter } from '../errors/app-exception.filter';
import { ERROR_CATALOGUE } from '../errors/error-catalogue';
import { EnvelopeInterceptor } from './envelope';
import { bodyErrorHandler, jsonBodyParser, requireJsonContentType } from './json-body';
import { requestIdMiddleware } from './request-id';
import { createValidationPipe } from './validation';
import { Reflector } from '@nestjs/core';

/**
 * Everything an HTTP app of Kirim shares, applied once in main.ts and in tests (so tests exercise the
 * exact production pipeline): request ids, the 1 MiB JSON body with 415/413/invalid_json, validation,
 * the `{data}` envelope, the error filter. Create the app with `{ bodyParser: false, bufferLogs: true }`.
 * Signal handling is the process's business: main.ts calls `enableShutdownHooks` (tests close apps themselves).
 */
export function configureHttpApp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  app.use(requestIdMiddleware);
  app.use(requireJsonContentType);
  app.use(jsonBodyParser);
  app.use(bodyErrorHandler);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AppExceptionFilter());
  app.useGlobalInterceptors(new EnvelopeInterceptor(app.get(Reflector)));
  const express = app.getHttpAdapter().getInstance() as { disable?: (name: string) => void; set?: (k: string, v: unknown) => void };
  express.disable?.('x-powered-by');
  express.set?.('trust proxy', 'loopback');
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
