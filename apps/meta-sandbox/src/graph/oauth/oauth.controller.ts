import { Get, Inject, Query } from '@nestjs/common';
import type { SandboxConfig } from '../../app/config';
import { SANDBOX_CONFIG } from '../../app/tokens';
import { stringParam } from '../../common/request-context';
import type { AccessTokenRecord } from '../../state/model';
import { SandboxState } from '../../state/sandbox-state';
import { GraphAuth, type GraphPrincipal, sameSecret } from '../core/graph-auth';
import { GraphController, GraphEndpoint, Principal } from '../core/graph-endpoint';
import { GraphError, GraphErrors } from '../core/graph-error';

const SCOPES = ['whatsapp_business_management', 'whatsapp_business_messaging', 'public_profile'] as const;
const seconds = (ms: number) => Math.floor(ms / 1000);

/** `debug_token`'s `data` object. */
type DebugData = Record<string, unknown>;

/**
 * OAuth: the Embedded Signup code exchange (reference §2.3 step 1) and `debug_token`.
 */
@GraphController()
export class OAuthController {
  constructor(
    private readonly state: SandboxState,
    private readonly auth: GraphAuth,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {}

  /**
   * `GET /oauth/access_token?client_id&client_secret&code` → `{access_token, token_type: 'bearer'}`, a
   * business token for the WABA picked in the popup. Also `grant_type=client_credentials` → the app token.
   */
  @Get('oauth/access_token')
  @GraphEndpoint('oauth/access_token', { auth: 'none' })
  exchange(@Query() query: Record<string, unknown>): Record<string, unknown> {
    const clientId = stringParam(query, 'client_id');
    if (!clientId) throw new GraphError(101, 'Missing client_id parameter.');
    if (clientId !== this.config.appId) throw GraphErrors.invalidApplication();
    const secret = stringParam(query, 'client_secret');
    if (!secret) throw new GraphError(1, 'Missing client_secret parameter.');
    if (!sameSecret(secret, this.config.appSecret)) throw GraphErrors.invalidClientSecret();

    if (stringParam(query, 'grant_type') === 'client_credentials') {
      return { access_token: `${this.config.appId}|${this.config.appSecret}`, token_type: 'bearer' };
    }
    const code = stringParam(query, 'code');
    if (!code) throw new GraphError(100, 'Missing authorization code.');
    const redeemed = this.state.redeemCode(code, this.config.appId);
    if (!redeemed.ok) {
      switch (redeemed.reason) {
        case 'expired':
          throw GraphErrors.codeExpired();
        case 'used':
          throw GraphErrors.codeUsed();
        case 'unknown':
        case 'wrong_app':
          throw GraphErrors.codeInvalid();
      }
    }
    const token = this.state.issueToken({
      app_id: redeemed.code.app_id,
      business_id: redeemed.code.business_id,
      waba_ids: [redeemed.code.waba_id],
      ttl_ms: redeemed.code.token_ttl_ms,
    });
    return {
      access_token: token.token,
      token_type: 'bearer',
      ...(token.expires_at !== null && { expires_in: seconds(token.expires_at - token.issued_at) }),
    };
  }

  /**
   * `GET /debug_token?input_token=<token>&access_token=<APP_ID>|<APP_SECRET>`. An invalid input token is
   * not an error of the call: `data.is_valid` is false and `data.error` says why.
   */
  @Get('debug_token')
  @GraphEndpoint('debug_token', { auth: 'token' })
  debug(@Query() query: Record<string, unknown>, @Principal() _caller: GraphPrincipal): { data: DebugData } {
    const input = stringParam(query, 'input_token');
    if (!input) throw GraphErrors.missingParameter('input_token');

    const app = this.auth.checkAppToken(input);
    if (app === true) {
      return { data: { app_id: this.config.appId, type: 'APP', application: this.config.appName, is_valid: true, scopes: [] } };
    }
    if (app === false) {
      return { data: { error: { code: 190, message: 'Invalid OAuth access token signature.' }, is_valid: false, scopes: [] } };
    }
    const found = this.state.lookupToken(input);
    if (!found.ok && found.reason === 'unknown') {
      return {
        data: { error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }, is_valid: false, scopes: [] },
      };
    }
    const data = this.describe(found.token);
    if (found.ok) return { data };
    const error =
      found.reason === 'expired'
        ? { code: 190, message: GraphErrors.tokenExpired(found.token.expires_at ?? 0).title, subcode: 463 }
        : { code: 190, message: GraphErrors.tokenRevoked(found.token.app_id).title, subcode: 458 };
    return { data: { ...data, error, is_valid: false } };
  }

  private describe(token: AccessTokenRecord): DebugData {
    return {
      app_id: token.app_id,
      type: 'USER',
      application: this.config.appName,
      data_access_expires_at: 0,
      expires_at: token.expires_at === null ? 0 : seconds(token.expires_at),
      is_valid: true,
      issued_at: seconds(token.issued_at),
      scopes: [...SCOPES],
      granular_scopes: [
        { scope: 'whatsapp_business_management', target_ids: [...token.waba_ids] },
        { scope: 'whatsapp_business_messaging', target_ids: [...token.waba_ids] },
      ],
      user_id: token.user_id,
    };
  }
}
