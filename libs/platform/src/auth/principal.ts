import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { HttpRequest } from '../http/http-types';
import type { TenantScope } from '../scope/tenant-scope';

/**
 * Who is calling: set on the request by identity's API-key admission, and the tenant scope of every
 * tenant-scoped service call (the organization, and the customer for a customer-restricted key).
 */
export interface Principal extends TenantScope {
  organizationId: string;
  apiKeyId: string;
  /** Set when the key is restricted to one customer: it then sees only that customer. */
  customerId: string | null;
  rateLimits: { writePerMinute: number; readPerMinute: number };
}

export type RequestWithPrincipal = HttpRequest & { principal?: Principal };

const PUBLIC_ROUTE = 'kirim:public-route';
/** No API key needed (health, openapi, metrics). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
export const PUBLIC_ROUTE_KEY = PUBLIC_ROUTE;

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
