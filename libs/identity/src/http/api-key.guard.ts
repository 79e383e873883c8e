import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, PUBLIC_ROUTE_KEY, type RequestWithPrincipal } from '@kirim/platform';
import { ApiKeysService } from '../application/api-keys.service';
import { bearerToken } from '../domain/api-key';

const ORGANIZATION_SCOPE_ONLY = 'kirim:organization-scope-only';
/** Refuses customer-restricted keys with 403 `customer_scope_forbidden` (api keys, webhooks, create customer). */
export const OrganizationScopeOnly = () => SetMetadata(ORGANIZATION_SCOPE_ONLY, true);

/**
 * The global API-key guard (APP_GUARD): every route needs `Authorization: Bearer <key>` unless marked
 * `@Public()`. The key is read from that header only — never a query parameter, body field or cookie
 * (which is why this is a plain guard rather than passport-http-bearer, whose strategy also reads
 * `access_token` from the query and body). Failures are AppErrors, rendered by the platform filter.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const token = bearerToken(req.headers.authorization);
    if (token === null) {
      throw new AppError('invalid_api_key', "No API key provided; send it as 'Authorization: Bearer <key>'.");
    }
    const principal = await this.apiKeys.authenticate(token);
    req.principal = principal;
    if (principal.customerId !== null && this.reflector.getAllAndOverride<boolean>(ORGANIZATION_SCOPE_ONLY, targets)) {
      throw new AppError('customer_scope_forbidden', 'A customer-restricted API key cannot use this endpoint.');
    }
    return true;
  }
}
