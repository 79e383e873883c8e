import type { PhoneNumber, Waba } from '../../state/model';
import { type FieldSpec, graphTime } from '../core/fields';

/** Dial codes → ISO country, enough for `country_code`/`country_dial_code` of sandbox numbers. */
const DIAL_CODES: Readonly<Record<string, string>> = {
  '1': 'US',
  '7': 'RU',
  '20': 'EG',
  '27': 'ZA',
  '31': 'NL',
  '32': 'BE',
  '33': 'FR',
  '34': 'ES',
  '39': 'IT',
  '44': 'GB',
  '49': 'DE',
  '52': 'MX',
  '55': 'BR',
  '60': 'MY',
  '61': 'AU',
  '62': 'ID',
  '63': 'PH',
  '65': 'SG',
  '66': 'TH',
  '81': 'JP',
  '82': 'KR',
  '84': 'VN',
  '86': 'CN',
  '90': 'TR',
  '91': 'IN',
  '234': 'NG',
  '254': 'KE',
  '966': 'SA',
  '971': 'AE',
};

function dialCode(digits: string): string | undefined {
  for (const length of [3, 2, 1]) {
    const prefix = digits.slice(0, length);
    if (DIAL_CODES[prefix]) return prefix;
  }
  return undefined;
}

export const PHONE_NUMBER_TYPE = 'WhatsAppBusinessPhoneNumber';

const AVAILABLE = [
  'id',
  'display_phone_number',
  'verified_name',
  'quality_rating',
  'code_verification_status',
  'name_status',
  'new_name_status',
  'status',
  'platform_type',
  'throughput',
  'webhook_configuration',
  'messaging_limit_tier',
  'whatsapp_business_manager_messaging_limit',
  'account_mode',
  'is_official_business_account',
  'is_pin_enabled',
  'country_code',
  'country_dial_code',
  'last_onboarded_time',
] as const;

/** `GET /{phone_number_id}`: default fields of reference §2.4. */
export const PHONE_NUMBER_FIELDS: FieldSpec = {
  typeName: PHONE_NUMBER_TYPE,
  available: AVAILABLE,
  defaults: ['id', 'display_phone_number', 'verified_name', 'quality_rating'],
};

/** `GET /{waba_id}/phone_numbers`: Meta's list returns more by default. */
export const PHONE_NUMBER_LIST_FIELDS: FieldSpec = {
  typeName: PHONE_NUMBER_TYPE,
  available: AVAILABLE,
  defaults: [
    'verified_name',
    'code_verification_status',
    'display_phone_number',
    'quality_rating',
    'platform_type',
    'throughput',
    'last_onboarded_time',
    'webhook_configuration',
    'id',
  ],
};

/** Every field's Graph value (undefined = Graph omits it). */
export function phoneNumberValues(phone: PhoneNumber, waba: Waba | undefined, appId: string): Record<string, unknown> {
  const dial = dialCode(phone.digits);
  const override = waba?.subscriptions.get(appId)?.override_callback_uri ?? undefined;
  return {
    id: phone.id,
    display_phone_number: phone.display_phone_number,
    verified_name: phone.verified_name,
    quality_rating: phone.quality_rating,
    code_verification_status: phone.code_verification_status,
    name_status: phone.name_status,
    new_name_status: 'NONE',
    status: phone.status,
    platform_type: phone.registered ? 'CLOUD_API' : 'NOT_APPLICABLE',
    throughput: { level: phone.throughput_level },
    webhook_configuration: override ? { whatsapp_business_account: override } : undefined,
    messaging_limit_tier: phone.messaging_limit_tier,
    whatsapp_business_manager_messaging_limit: phone.messaging_limit_tier,
    account_mode: phone.account_mode,
    is_official_business_account: phone.is_official_business_account,
    is_pin_enabled: phone.pin !== null,
    country_code: dial ? DIAL_CODES[dial] : undefined,
    country_dial_code: dial,
    last_onboarded_time: phone.last_onboarded_time === null ? undefined : graphTime(phone.last_onboarded_time),
  };
}
