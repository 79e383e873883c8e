// The OpenAPI description of the send body, for documentation only: the controller validates with
// parseSendRequest (send-request.ts), never with class-validator. It lives beside the validator so the
// two change together; it is the one file of domain/ that imports Nest (decision 47).
// eslint-disable-next-line no-restricted-imports -- documentation-only DTO, see above
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PHONE_DIGITS_MAX, PHONE_DIGITS_MIN, SEND_LIMITS as L } from './limits';
import { OUTBOUND_TYPES } from './send-request';

const chars = 'Unicode code points, as Meta counts them.';
const mediaSource = 'Exactly one of `link` (an https URL) or `id` (a Meta media id).';

export class OutboundTextDto {
  @ApiProperty({ minLength: 1, maxLength: L.textBody, description: `Message text (${chars})` })
  body!: string;

  @ApiPropertyOptional({ description: 'Render a preview of the first URL in the body.' })
  preview_url?: boolean;
}

export class OutboundMediaDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: L.metaId, description: `Meta media id. ${mediaSource}` })
  id?: string;

  @ApiPropertyOptional({ format: 'uri', pattern: '^https://', description: `https URL Meta fetches the media from. ${mediaSource}` })
  link?: string;
}

export class OutboundCaptionedMediaDto extends OutboundMediaDto {
  @ApiPropertyOptional({ maxLength: L.caption })
  caption?: string;
}

export class OutboundDocumentDto extends OutboundCaptionedMediaDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: L.filename })
  filename?: string;
}

export class OutboundLocationDto {
  @ApiProperty({ minimum: -90, maximum: 90 })
  latitude!: number;

  @ApiProperty({ minimum: -180, maximum: 180 })
  longitude!: number;

  @ApiPropertyOptional()
  name?: string;

  @ApiPropertyOptional()
  address?: string;
}

export class OutboundContactNameDto {
  @ApiProperty({ minLength: 1 })
  formatted_name!: string;

  @ApiPropertyOptional()
  first_name?: string;

  @ApiPropertyOptional()
  last_name?: string;

  @ApiPropertyOptional()
  middle_name?: string;

  @ApiPropertyOptional()
  suffix?: string;

  @ApiPropertyOptional()
  prefix?: string;
}

const contactItems = (fields: string[]) => ({
  type: 'array' as const,
  items: {
    type: 'object' as const,
    properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' as const }])),
    additionalProperties: true,
  },
});

export class OutboundContactDto {
  @ApiProperty({ type: () => OutboundContactNameDto })
  name!: OutboundContactNameDto;

  @ApiPropertyOptional({ ...contactItems(['street', 'city', 'state', 'zip', 'country', 'country_code', 'type']) })
  addresses?: Record<string, unknown>[];

  @ApiPropertyOptional({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', example: '1815-12-10' })
  birthday?: string;

  @ApiPropertyOptional({ ...contactItems(['email', 'type']) })
  emails?: Record<string, unknown>[];

  @ApiPropertyOptional({
    type: 'object',
    properties: { company: { type: 'string' }, department: { type: 'string' }, title: { type: 'string' } },
    additionalProperties: true,
  })
  org?: Record<string, unknown>;

  @ApiPropertyOptional({ ...contactItems(['phone', 'type', 'wa_id']) })
  phones?: Record<string, unknown>[];

  @ApiPropertyOptional({ ...contactItems(['url', 'type']) })
  urls?: Record<string, unknown>[];
}

export class OutboundReactionDto {
  @ApiProperty({ minLength: 1, maxLength: L.metaId, description: 'The wamid of the message reacted to (a message of this account).' })
  message_id!: string;

  @ApiProperty({ description: 'One emoji (a single grapheme cluster), or an empty string to remove the reaction.', example: '👍' })
  emoji!: string;
}

export class OutboundInteractiveTextDto {
  @ApiProperty({ minLength: 1, description: `Limits per subtype (${chars})` })
  text!: string;
}

export class OutboundInteractiveDto {
  @ApiProperty({
    minLength: 1,
    example: 'button',
    description:
      "`button`, `list` and `cta_url` are validated with Meta's limits; any other subtype (`flow`, `product`, `product_list`, " +
      '`catalog_message`, `order_details`, `order_status`, `location_request_message`, …) is passed to Meta unchanged after the ' +
      `common checks (body.text ≤ ${L.interactiveBody}, footer.text ≤ ${L.footerText}).`,
  })
  type!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      `\`{type: "text", text}\` (text ≤ ${L.headerText}), or \`{type: "image"|"video"|"document", <type>: {link|id}}\` ` +
      '(button and cta_url); list headers are text only.',
  })
  header?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: () => OutboundInteractiveTextDto,
    description: `Required for button (≤ ${L.buttonBody}), list (≤ ${L.listBody}) and cta_url (≤ ${L.ctaBody}).`,
  })
  body?: OutboundInteractiveTextDto;

  @ApiPropertyOptional({ type: () => OutboundInteractiveTextDto, description: `text ≤ ${L.footerText}.` })
  footer?: OutboundInteractiveTextDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      `button: \`{buttons: [{type: "reply", reply: {id (1-${L.buttonId}), title (1-${L.buttonTitle})}}]}\`, 1-${L.buttons} ` +
      'buttons, ids and titles unique. ' +
      `list: \`{button (1-${L.listButton}), sections: [{title? (≤ ${L.sectionTitle}, required with several sections), ` +
      `rows: [{id (1-${L.rowId}, unique), title (1-${L.rowTitle}), description? (≤ ${L.rowDescription})}]}]}\`, ` +
      `1-${L.sections} sections, ≤ ${L.rows} rows in total. ` +
      `cta_url: \`{name: "cta_url", parameters: {display_text (1-${L.ctaDisplayText}), url (https)}}\`.`,
  })
  action?: Record<string, unknown>;
}

export class OutboundTemplateDto {
  @ApiProperty({ minLength: 1, maxLength: L.templateName, description: 'An approved template of the account’s WABA.' })
  name!: string;

  @ApiProperty({
    description: 'A language code (`en_US`), or Meta’s `{code, policy?}`; sent to Meta as `{code, …}`.',
    oneOf: [
      { type: 'string', example: 'en_US' },
      {
        type: 'object',
        required: ['code'],
        properties: { code: { type: 'string', example: 'en_US' }, policy: { type: 'string', enum: ['deterministic'] } },
        additionalProperties: false,
      },
    ],
  })
  language!: string | { code: string; policy?: 'deterministic' };

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } }, additionalProperties: true },
    description: 'Meta’s components (header, body, button, carousel, …), passed through; their parameters must fit the template.',
  })
  components?: Record<string, unknown>[];
}

export class OutboundContextDto {
  @ApiProperty({ minLength: 1, maxLength: L.metaId, description: 'The wamid of the quoted message (a message of this account).' })
  message_id!: string;
}

export class SendMessageBodyDto {
  @ApiPropertyOptional({ enum: ['whatsapp'] })
  messaging_product?: 'whatsapp';

  @ApiPropertyOptional({ enum: ['individual'] })
  recipient_type?: 'individual';

  @ApiProperty({
    example: '+16505551234',
    description:
      `E.164: ${PHONE_DIGITS_MIN}-${PHONE_DIGITS_MAX} digits with the country code, \`+\` optional; spaces, dashes and ` +
      'brackets are ignored. Else 400 `invalid_phone_number`.',
  })
  to!: string;

  @ApiPropertyOptional({ enum: OUTBOUND_TYPES, default: 'text', description: 'The body must hold the object of this name, and no other.' })
  type?: (typeof OUTBOUND_TYPES)[number];

  @ApiPropertyOptional({ type: () => OutboundTextDto })
  text?: OutboundTextDto;

  @ApiPropertyOptional({ type: () => OutboundCaptionedMediaDto })
  image?: OutboundCaptionedMediaDto;

  @ApiPropertyOptional({ type: () => OutboundCaptionedMediaDto })
  video?: OutboundCaptionedMediaDto;

  @ApiPropertyOptional({ type: () => OutboundMediaDto, description: 'No caption.' })
  audio?: OutboundMediaDto;

  @ApiPropertyOptional({ type: () => OutboundDocumentDto })
  document?: OutboundDocumentDto;

  @ApiPropertyOptional({ type: () => OutboundMediaDto, description: 'No caption.' })
  sticker?: OutboundMediaDto;

  @ApiPropertyOptional({ type: () => OutboundLocationDto })
  location?: OutboundLocationDto;

  @ApiPropertyOptional({ type: () => OutboundContactDto, isArray: true, minItems: 1 })
  contacts?: OutboundContactDto[];

  @ApiPropertyOptional({ type: () => OutboundInteractiveDto })
  interactive?: OutboundInteractiveDto;

  @ApiPropertyOptional({ type: () => OutboundTemplateDto })
  template?: OutboundTemplateDto;

  @ApiPropertyOptional({ type: () => OutboundReactionDto })
  reaction?: OutboundReactionDto;

  @ApiPropertyOptional({ type: () => OutboundContextDto, description: 'Send as a reply quoting this message.' })
  context?: OutboundContextDto;

  @ApiPropertyOptional({ maxLength: L.bizOpaqueCallbackData, description: 'Echoed by Meta in the status webhooks.' })
  biz_opaque_callback_data?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: `The integrator’s own JSON object (≤ ${L.metadataBytes} bytes serialised), echoed on the message and its events, never sent to Meta.`,
  })
  metadata?: Record<string, unknown> | null;
}

export class MarkReadTypingIndicatorDto {
  @ApiProperty({ enum: ['text'] })
  type!: 'text';
}

/** Meta's mark-as-read body, which the send endpoint also takes (recognised by `status`). */
export class MarkMessageReadBodyDto {
  @ApiPropertyOptional({ enum: ['whatsapp'] })
  messaging_product?: 'whatsapp';

  @ApiProperty({ enum: ['read'] })
  status!: 'read';

  @ApiProperty({ minLength: 1, maxLength: L.metaId, description: 'The wamid of the inbound message to mark read.' })
  message_id!: string;

  @ApiPropertyOptional({ type: () => MarkReadTypingIndicatorDto, description: 'Also show a typing indicator.' })
  typing_indicator?: MarkReadTypingIndicatorDto;
}
