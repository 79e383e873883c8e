import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { errorBody } from '../errors/error-body';
import type { ErrorCode } from '../errors/error-catalogue';
import { newId } from '../ids/ids';

interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
  param?: string;
}

/** Node's HTTP-parser errors (`clientError`) as the envelope: status as Node would answer, our body. */
function classify(code: string | undefined): Refusal {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'invalid_field_value', param: 'headers', message: 'The request line and headers are larger than 16 KB.' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'payload_too_large', message: 'The chunk extensions are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'invalid_field_value', message: 'The request was not received in time.' };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, code: 'invalid_field_value', param: 'Content-Length', message: 'The Content-Length header is invalid.' };
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 400, code: 'invalid_field_value', param: 'Transfer-Encoding', message: 'The Transfer-Encoding header is invalid.' };
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_INVALID_EOF_STATE':
      return {
        status: 400,
        code: 'invalid_field_value',
        param: 'headers',
        message: 'A request header is malformed (control characters or bad syntax).',
      };
    case undefined:
    default:
      return { status: 400, code: 'invalid_field_value', message: 'The HTTP request is malformed.' };
  }
}

function envelopeText(refusal: Refusal, requestId: string): string {
  return JSON.stringify(errorBody(refusal.code, refusal.message, requestId, refusal.param));
}

const logger = new Logger('HttpServer');

/**
 * Node's HTTP-parser errors (`clientError`) in the envelope with an `X-Request-Id` like every other
 * answer: 431 for a URL or headers over 16 KB, 400 for a bad Content-Length or control characters in a
 * header. Given to Fastify as its `clientErrorHandler`.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const requestId = newId('req');
  const refusal = classify(error.code);
  const body = envelopeText(refusal, requestId);
  logger.warn({ request_id: requestId, code: error.code, status: refusal.status }, 'malformed HTTP request refused');
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Bad Request'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      'Cache-Control: no-store\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * The rest of what Node's HTTP layer answers by itself, in the envelope: unknown `Expect` values (417),
 * and `Expect: 100-continue` (refused with 413 when Content-Length is already over the route's limit).
 * Applied by configureHttpApp, so every app and the test harness share it.
 */
export function hardenHttpServer(server: Server, bodyLimitFor: (path: string) => number): void {
  if ((server as Server & { kirimHardened?: boolean }).kirimHardened) return;
  (server as Server & { kirimHardened?: boolean }).kirimHardened = true;

  const refuse = (res: ServerResponse, refusal: Refusal) => {
    const requestId = newId('req');
    const body = envelopeText(refusal, requestId);
    res.shouldKeepAlive = false;
    res.writeHead(refusal.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'X-Request-Id': requestId,
      'X-Content-Type-Options': 'nosniff',
      Connection: 'close',
    });
    res.end(body);
  };

  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    refuse(res, { status: 417, code: 'invalid_field_value', param: 'Expect', message: "Only 'Expect: 100-continue' is supported." });
  });

  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length']);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (Number.isFinite(declared) && declared > bodyLimitFor(path)) {
      refuse(res, { status: 413, code: 'payload_too_large', message: 'The request body is larger than the limit of this endpoint.' });
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
}
