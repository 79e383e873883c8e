import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { headerValue, type RequestWithPrincipal } from '@kirim/platform';

/**
 * For tests of platform behaviour without identity: sets `req.principal` from `x-test-org` (and the
 * bucket sizes from `x-test-write` / `x-test-read`, defaulting to the configuration's 600 / 6000).
 * Requests without `x-test-org` stay unauthenticated. Use with `@UseGuards(FakePrincipalGuard)`.
 */
@Injectable()
export class FakePrincipalGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const org = headerValue(req, 'x-test-org');
    if (org) {
      req.principal = {
        organizationId: org,
        apiKeyId: 'key_test',
        customerId: null,
        rateLimits: {
          writePerMinute: Number(headerValue(req, 'x-test-write') ?? 600),
          readPerMinute: Number(headerValue(req, 'x-test-read') ?? 6000),
        },
      };
    }
    return true;
  }
}
