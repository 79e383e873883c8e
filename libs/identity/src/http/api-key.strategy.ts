import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import passport from 'passport';
import { AppError, type Principal } from '@kirim/platform';
import { ApiKeysService } from '../application/api-keys.service';
import { bearerToken } from '../domain/api-key';

type Verify = (token: string, done: (error: unknown, principal?: Principal) => void) => void;

/**
 * A passport strategy for `Authorization: Bearer <key>` — and nothing else. passport-http-bearer would
 * also take `access_token` from the query string and the body, which the spec forbids (the key travels
 * in that header only), so this is the header half of it.
 */
export class HeaderBearerStrategy extends passport.Strategy {
  override name = 'header-bearer';

  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(req: Request): void {
    const token = bearerToken(req.headers.authorization);
    if (token === null) {
      this.error(new AppError('invalid_api_key', "No API key provided; send it as 'Authorization: Bearer <key>'."));
      return;
    }
    this.verify(token, (error, principal) => (error ? this.error(error) : principal ? this.success(principal) : this.fail(401)));
  }
}

/** Registers the strategy with passport as `api-key`; `validate` is called with the bearer token. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderBearerStrategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  validate(token: string): Promise<Principal> {
    return this.apiKeys.authenticate(token);
  }
}
