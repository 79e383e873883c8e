import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Control characters refused in single-line text: C0 except the whitespace that names collapse
 * (tab, line feed, vertical tab, form feed, carriage return), DEL and C1.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/;

/**
 * "Single-line text" (names, labels, URLs, tokens): a string with no control character other than the
 * whitespace that names collapse → otherwise 400 `invalid_field_value` with `param`. Non-strings pass
 * (the type is `IsString`'s business). U+0000 and lone surrogates never get here: the body reader
 * refuses them for every field.
 */
export function SingleLineText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'singleLineText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !CONTROL.test(value),
        defaultMessage: (args) => `'${args?.property ?? 'value'}' must not contain control characters.`,
      },
    },
    options,
  );
}
