import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, type IAuthModuleOptions } from '@nestjs/passport';
import { AppError, type Principal, PUBLIC_ROUTE_KEY } from '@kirim/platform';
import type { AdmittedRequest } from './api-admission';

const ORGANIZATION_SCOPE_ONLY = 'kirim:organization-scope-only';
/** Refuses customer-restricted keys with 403 `customer_scope_forbidden` (api keys, webhooks, create customer). */
export const OrganizationScopeOnly = () => SetMetadata(ORGANIZATION_SCOPE_ONLY, true);

/**
 * The global API-key guard (APP_GUARD): passport's `api-key` strategy (ApiKeyStrategy, header only) on
 * every route not marked `@Public()`; the principal lands on `req.principal`. Failures are AppErrors
 * (`invalid_api_key`, `expired_api_key`), rendered by the platform filter — never passport's bare 401.
 */
@Injectable()
export class ApiKeyGuard extends AuthGuard('api-key') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override getAuthenticateOptions(): IAuthModuleOptions {
    return { session: false, property: 'principal' };
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<AdmittedRequest>();
    // The admission middleware (the api app) already authenticated; elsewhere passport does it here.
    if (req.authFailure) throw req.authFailure;
    if (!req.principal) await super.canActivate(context);
    const principal = req.principal;
    if (principal?.customerId != null && this.reflector.getAllAndOverride<boolean>(ORGANIZATION_SCOPE_ONLY, targets)) {
      throw new AppError('customer_scope_forbidden', 'A customer-restricted API key cannot use this endpoint.');
    }
    return true;
  }

  /**
   * Errors pass through unchanged — an AppError keeps its code, and anything else (PostgreSQL down) is
   * classified by the platform filter (503, not a misleading 401); no principal without an error is 401.
   */
  override handleRequest<T = Principal>(error: unknown, principal: T | false): T {
    if (error) throw error;
    if (!principal) throw new AppError('invalid_api_key', 'Invalid API key.');
    return principal;
  }
}
