import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import pino from 'pino';
import { pinoHttp, type Options } from 'pino-http';
import { loadConfig } from '../config/config';
import { loggerParams } from './logger';

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
  it('binds request_id once to every line of a request, the completion line included (with the status only)', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://localhost/x',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      KEY_PEPPER: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'info',
    });
    const lines: string[] = [];
    const options = loggerParams(config).pinoHttp as Options;
    const middleware = pinoHttp({ ...options, stream: { write: (line: string) => lines.push(line) } });
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = '/v1/me';
    req.headers = { authorization: 'Bearer kir_live_secretsecretsecretsecret' };
    (req as IncomingMessage & { id: string }).id = 'req_01HXYZABCDEFGHJKMNPQRSTVWX';
    const res = new ServerResponse(req);
    middleware(req, res);
    req.log.info('inside the handler');
    res.setHeader('Content-Security-Policy', "default-src 'self'");
    res.writeHead(200); // headers sent: what pino-http's serializer reads the status from
    res.emit('finish');
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    for (const line of parsed) expect(line['request_id']).toBe('req_01HXYZABCDEFGHJKMNPQRSTVWX');
    expect(parsed[1]?.['res']).toEqual({ statusCode: 200 }); // the status, not every response header
    expect(parsed[1]).toMatchObject({
      msg: expect.stringMatching(/^request /),
      req: { id: 'req_01HXYZABCDEFGHJKMNPQRSTVWX', method: 'GET', url: '/v1/me' },
    });
    for (const line of lines) {
      expect(line.match(/"request_id"/g)).toHaveLength(1);
      expect(line).not.toContain('kir_live_');
    }
  });
});
