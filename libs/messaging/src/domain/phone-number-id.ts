import { AppError } from '@kirim/platform';

/** Meta's `phone_number_id` in a path: 6–20 digits (spec 01 § Ids). */
const PHONE_NUMBER_ID = /^\d{6,20}$/;

/** A malformed `phone_number_id` in a path is 400 before any lookup (an unknown or foreign one is the lookup's 404). */
export function assertPhoneNumberId(value: string): void {
  if (!PHONE_NUMBER_ID.test(value)) throw AppError.invalid('phone_number_id', "'phone_number_id' must be 6 to 20 digits.");
}
