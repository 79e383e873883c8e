import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { stringParam } from '../../common/request-context';
import type { PhoneNumber } from '../../state/model';
import { SandboxState } from '../../state/sandbox-state';
import { GraphAccess } from '../core/graph-access';
import type { GraphPrincipal } from '../core/graph-auth';
import { GraphController, GraphEndpoint, Principal } from '../core/graph-endpoint';
import { GraphError, GraphErrors } from '../core/graph-error';

export const PIN = /^\d{6}$/;

/** `messaging_product` must be present and `whatsapp` (error 100 otherwise). */
export function requireWhatsApp(body: unknown): void {
  const product = stringParam(body, 'messaging_product');
  if (product === undefined) throw GraphErrors.missingParameter('messaging_product');
  if (product !== 'whatsapp') throw GraphErrors.invalidParameter('messaging_product must be "whatsapp".');
}

/** A 6-digit PIN from the body (JSON string or number, or form field), else error 100. */
export function requirePin(body: unknown): string {
  const pin = stringParam(body, 'pin');
  if (pin === undefined) throw GraphErrors.missingParameter('pin');
  if (!PIN.test(pin)) throw GraphErrors.invalidParameter('The parameter pin must be exactly 6 digits.');
  return pin;
}

/** Cloud API registration of a number (reference §2.3 step 3). */
@GraphController()
export class PhoneNumbersController {
  constructor(
    private readonly state: SandboxState,
    private readonly access: GraphAccess,
  ) {}

  /** `POST /{phone_number_id}/register {messaging_product: 'whatsapp', pin, data_localization_region?}`. */
  @Post(':id/register')
  @HttpCode(200)
  @GraphEndpoint('register', { auth: 'token' })
  register(@Param('id') id: string, @Body() body: unknown, @Principal() principal: GraphPrincipal): { success: true } {
    const phone = this.access.phoneNumber(principal, id, { method: 'POST', edge: 'register' });
    requireWhatsApp(body);
    const pin = requirePin(body);
    const region = stringParam(body, 'data_localization_region');
    if (region !== undefined && !/^[A-Z]{2}$/.test(region)) {
      throw GraphErrors.invalidParameter('data_localization_region must be a 2-letter ISO country code.');
    }
    this.checkRegistrable(phone, pin);
    this.state.register(phone, pin, region ?? null);
    return { success: true };
  }

  /** `POST /{phone_number_id}/deregister`. */
  @Post(':id/deregister')
  @HttpCode(200)
  @GraphEndpoint('deregister', { auth: 'token' })
  deregister(@Param('id') id: string, @Principal() principal: GraphPrincipal): { success: true } {
    const phone = this.access.phoneNumber(principal, id, { method: 'POST', edge: 'deregister' });
    this.state.deregister(phone);
    return { success: true };
  }

  private checkRegistrable(phone: PhoneNumber, pin: string): void {
    if (phone.code_verification_status !== 'VERIFIED') {
      throw GraphError.fromCode(133006, { details: 'Phone number needs to be verified before registering.' });
    }
    if (phone.registered && phone.pin !== null && phone.pin !== pin) {
      throw GraphError.fromCode(133005, { details: 'The PIN does not match the two-step verification PIN of this registered number.' });
    }
  }
}
