import { z } from 'zod';

/**
 * A name or other human text that must say something: surrounding whitespace is trimmed before the length
 * is checked, so "   " is refused, and the length is bounded so no field can grow a row without limit.
 */
export function nonBlank(max: number, min = 1) {
  return z
    .string()
    .trim()
    .min(min, min === 1 ? 'Must not be blank' : `Write at least ${min} characters (not counting spaces)`)
    .max(max, `At most ${max} characters`);
}

/** A person's or an organisation's name. */
export const NonBlankNameSchema = nonBlank(200);
