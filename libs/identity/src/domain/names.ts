import { AppError } from '@kirim/platform';

export const NAME_MAX_LENGTH = 200;

/** Trims a display name (organization, team, user, key label) and checks it is 1–200 characters. */
export function requireName(param: string, value: string): string {
  const name = value.trim();
  if (name.length < 1 || name.length > NAME_MAX_LENGTH) {
    throw AppError.invalid(param, `${param} must be 1-${NAME_MAX_LENGTH} characters.`);
  }
  return name;
}
