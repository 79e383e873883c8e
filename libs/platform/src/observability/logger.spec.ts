import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { type Options as PinoHttpOptions, pinoHttp } from 'pino-http';
import { loadConfig } from '../config/config';
import { loggerParams, requestLogLine } from './logger';

function capture(logBodies: boolean) {
  const config = loadConfig({
    DATABASE_URL: 'postgresql://localhost/x',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    KEY_PEPPER: randomBytes(32).toString('base64'),
    LOG_BODIES: String(logBodies),
  });
  const options = loggerParams(config).pinoHttp as pino.LoggerOptions;
  const lines: string[] = [];
  const logger = pino({ redact: options.redact }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('log redaction', () => {
  it('removes credentials, tokens, secrets, passwords and bodies', () => {
    const { logger, lines } = capture(false);
    logger.info({
      req: { headers: { authorization: 'Bearer kir_live_abcdefghijklmnopqrstuvwx', 'idempotency-key': 'k1', cookie: 'sid=1' } },
      user: { password: 'hunter2' },
      key: { secret: 'kir_live_zzzz' },
      meta: { access_token: 'EAAG-business-token', pin: '123456' },
      body: { text: 'private message' },
    });
    const line = lines.join('');
    for (const secret of ['kir_live_', 'hunter2', 'EAAG-business-token', '123456', 'private message', 'sid=1']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });

  it('keeps bodies when LOG_BODIES is on, but never credentials', () => {
    const { logger, lines } = capture(true);
    logger.info({ req: { headers: { authorization: 'Bearer kir_live_x' } }, body: { text: 'visible' } });
    expect(lines.join('')).toContain('visible');
    expect(lines.join('')).not.toContain('kir_live_x');
  });
});

describe('request logging', () => {
  const request = { id: 'req_01HXYZABCDEFGHJKMNPQRSTVWX', method: 'GET', url: '/v1/me?limit=2' };

  it('one line per answer: request id, method, URL and the status only (no headers, no body)', () => {
    const line = requestLogLine(request, 200, 3.4);
    expect(line).toEqual({
      level: 'info',
      msg: 'request completed',
      fields: { request_id: request.id, req: { method: 'GET', url: '/v1/me?limit=2' }, res: { statusCode: 200 }, responseTime: 3 },
    });
  });

  it('is written as built through the root logger nestjs-pino creates (its req/res serializers keep the status)', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://localhost/x',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      KEY_PEPPER: randomBytes(32).toString('base64'),
    });
    const lines: string[] = [];
    const { logger } = pinoHttp(loggerParams(config).pinoHttp as PinoHttpOptions, {
      write: (line: string) => lines.push(line),
    });
    const line = requestLogLine(request, 201, 3.4);
    if (line === undefined) throw new Error('expected a line');
    logger[line.level](line.fields, line.msg);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 30,
      msg: 'request completed',
      request_id: request.id,
      req: { method: 'GET', url: '/v1/me?limit=2' },
      res: { statusCode: 201 },
      responseTime: 3,
    });
  });

  it('5xx at error level; probes and scrapes not logged', () => {
    expect(requestLogLine(request, 503, 1)).toMatchObject({ level: 'error', msg: 'request errored' });
    expect(requestLogLine(request, 404, 1)?.level).toBe('info');
    for (const url of ['/v1/health', '/health', '/metrics', '/v1/health?x=1'])
      expect(requestLogLine({ ...request, url }, 200, 1)).toBeUndefined();
  });
});
