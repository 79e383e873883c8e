const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Unicode's recommended emoji (sequences included: skin tones, ZWJ families, flags, keycaps, tags). */
// Built with `new RegExp`: TypeScript only accepts the `v` flag in literals when targeting ES2024; Node 20 has it.
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

/**
 * What RGI leaves out but phones send: a pictograph without its emoji presentation selector (`❤`),
 * optionally with a skin tone, and ZWJ sequences of those.
 */
const PICTOGRAPH =
  /^\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)*$/u;

/** The longest emoji cluster worth segmenting, in UTF-16 units (the longest RGI sequences have ~ 20). */
const MAX_EMOJI_UNITS = 64;

/** True when `value` is exactly one grapheme cluster and that cluster is an emoji. */
export function isSingleEmoji(value: string): boolean {
  if (value.length === 0 || value.length > MAX_EMOJI_UNITS) return false;
  let clusters = 0;
  for (const _ of GRAPHEMES.segment(value)) if (++clusters > 1) return false;
  return RGI_EMOJI.test(value) || PICTOGRAPH.test(value);
}
