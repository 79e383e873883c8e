/**
 * Meta's limits on a send (spec 05 § Send; reference meta-cloud-api.md §§ 3.3, 7), in Unicode code
 * points. Shared by the validator (send-request.ts) and the OpenAPI description (send-message.openapi.ts).
 */
export const SEND_LIMITS = {
  textBody: 4096,
  caption: 1024,
  filename: 240,
  buttonBody: 1024,
  buttons: 3,
  buttonId: 256,
  buttonTitle: 20,
  headerText: 60,
  footerText: 60,
  listBody: 4096,
  listButton: 20,
  sections: 10,
  rows: 10,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
  sectionTitle: 24,
  ctaBody: 1024,
  ctaDisplayText: 20,
  /** Body text of interactive subtypes Kirim does not model (the common check). */
  interactiveBody: 4096,
  templateName: 512,
  bizOpaqueCallbackData: 512,
  /** Kirim's own bound on wamids and Meta media ids (real ones are well under 100 characters). */
  metaId: 512,
  /** Bytes of the UTF-8 JSON serialisation of `metadata`. */
  metadataBytes: 16384,
} as const;

export const PHONE_DIGITS_MIN = 8;
export const PHONE_DIGITS_MAX = 15;
