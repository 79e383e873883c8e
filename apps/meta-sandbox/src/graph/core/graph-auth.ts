import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { SandboxConfig } from '../../app/config';
import { SANDBOX_CONFIG } from '../../app/tokens';
import { stringParam } from '../../common/request-context';
import type { AccessTokenRecord } from '../../state/model';
import { SandboxState } from '../../state/sandbox-state';
import { GraphErrors } from './graph-error';

/** The caller of a Graph request, from its access token. */
export type GraphPrincipal =
  /** `<APP_ID>|<APP_SECRET>`: the app itself (debug_token); grants no WABA. */
  | { kind: 'app'; app_id: string }
  /** A business integration system-user token from the code exchange. */
  | { kind: 'business'; token: AccessTokenRecord };

export function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Access-token checks shared by every Graph endpoint that needs a token (190 on any failure). */
@Injectable()
export class GraphAuth {
  constructor(
    private readonly state: SandboxState,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {}

  /** `Authorization: Bearer|OAuth <token>`, else `access_token` in the query, else in a form body. */
  extractToken(req: Request): string | undefined {
    const header = req.headers.authorization;
    if (header) {
      const match = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header);
      return match?.[1] ?? header.trim();
    }
    return stringParam(req.query, 'access_token') ?? stringParam(req.body, 'access_token');
  }

  /** Is this `<APP_ID>|<APP_SECRET>` of the sandbox's app? undefined when it is not an app token at all. */
  checkAppToken(token: string): boolean | undefined {
    const bar = token.indexOf('|');
    if (bar < 0) return undefined;
    return token.slice(0, bar) === this.config.appId && sameSecret(token.slice(bar + 1), this.config.appSecret);
  }

  authenticate(req: Request): GraphPrincipal {
    const token = this.extractToken(req);
    if (!token) throw GraphErrors.tokenMissing();
    const app = this.checkAppToken(token);
    if (app === true) return { kind: 'app', app_id: this.config.appId };
    if (app === false) throw GraphErrors.appTokenInvalid();
    const found = this.state.lookupToken(token);
    if (found.ok) return { kind: 'business', token: found.token };
    switch (found.reason) {
      case 'unknown':
        throw GraphErrors.tokenUnknown();
      case 'expired':
        throw GraphErrors.tokenExpired(found.token.expires_at ?? 0);
      case 'revoked':
        throw GraphErrors.tokenRevoked(found.token.app_id);
    }
  }
}
