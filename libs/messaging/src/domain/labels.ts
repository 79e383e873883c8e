import { AppError } from '@kirim/platform';

/** The colours a label may have (spec 05 § Labels); `gray` when none is given. */
export const LABEL_COLORS = [
  'gray',
  'red',
  'orange',
  'amber',
  'yellow',
  'lime',
  'green',
  'emerald',
  'teal',
  'sky',
  'blue',
  'violet',
  'pink',
] as const;
export type LabelColor = (typeof LABEL_COLORS)[number];
export const DEFAULT_LABEL_COLOR: LabelColor = 'gray';
export const LABEL_NAME_MAX_LENGTH = 50;

/** A team-scoped tag (`lbl_…`) for the contacts and conversations of the team's accounts. */
export interface Label {
  id: string;
  organizationId: string;
  teamId: string;
  name: string;
  color: LabelColor;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The label's name: trimmed, runs of whitespace collapsed to one space, 1–50 characters (code points), else
 * 400 `invalid_field_value` (param `name`). Uniqueness ignores case
 * (the `name_key` column, `lower(name)`, unique per team).
 */
export function validateLabelName(raw: string): string {
  const name = raw.replace(/\s+/gu, ' ').trim();
  const length = [...name].length;
  if (length < 1 || length > LABEL_NAME_MAX_LENGTH) {
    throw AppError.invalid('name', `'name' must be 1-${LABEL_NAME_MAX_LENGTH} characters after trimming.`);
  }
  return name;
}

/** One of {@link LABEL_COLORS}, else 400 `invalid_field_value` (param `color`). */
export function validateLabelColor(raw: unknown): LabelColor {
  if (typeof raw === 'string' && (LABEL_COLORS as readonly string[]).includes(raw)) return raw as LabelColor;
  throw AppError.invalid('color', `'color' must be one of ${LABEL_COLORS.join(', ')}.`);
}

export function labelAlreadyExists(name: string): AppError {
  return new AppError('label_already_exists', `A label named '${name}' (ignoring case) already exists in this team.`, { param: 'name' });
}
