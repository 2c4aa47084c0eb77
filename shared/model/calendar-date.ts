import { z } from 'zod';

/** The years a business date of Handoff may fall in; outside them it is a typo (0206 for 2026), not a contract. */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2999;

/**
 * A day on the calendar as YYYY-MM-DD (ISO 8601), refusing days that do not exist (2026-02-30, 2023-02-29,
 * 2026-13-01) instead of letting `Date` roll them into the next month.
 */
export const CalendarDateSchema = z.iso
  .date({ message: 'Use a real calendar date as YYYY-MM-DD (e.g. 2026-11-17; 2026-02-30 does not exist)' })
  .refine((d) => {
    const year = Number(d.slice(0, 4));
    return year >= FIRST_YEAR && year <= LAST_YEAR;
  }, `Use a date between ${FIRST_YEAR}-01-01 and ${LAST_YEAR}-12-31`)
  .meta({ example: '2026-11-17' });
export type CalendarDate = z.infer<typeof CalendarDateSchema>;

/** An instant with its offset (ISO 8601 date-time), e.g. when a signer signed. */
export const DateTimeSchema = z.iso.datetime({ offset: true }).meta({ example: '2026-11-16T15:04:05Z' });
