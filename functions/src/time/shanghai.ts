/**
 * The hospital's clock. Clinic dates and times are Asia/Shanghai wall-clock; instants are UTC.
 * Every conversion between the two goes through this module, so the server's TZ never matters.
 *
 * China Standard Time has been UTC+08:00 all year since 1991 (no daylight saving), so a
 * wall-clock date and time in Shanghai maps to exactly one instant with a fixed offset.
 */

/** A calendar date in Shanghai, `YYYY-MM-DD`. */
export type LocalDate = string;
/** A wall-clock time in Shanghai, `HH:MM` or `HH:MM:SS`. */
export type LocalTime = string;

const OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant at which it is `date` `time` in Shanghai. */
export function shanghaiToInstant(date: LocalDate, time: LocalTime): Date {
  const [h = '00', m = '00', s = '00'] = time.split(':');
  const d = new Date(`${date}T${h.padStart(2, '0')}:${m.padStart(2, '0')}:${s.padStart(2, '0')}.000+08:00`);
  if (Number.isNaN(d.getTime())) throw new RangeError(`invalid Shanghai date/time: ${date} ${time}`);
  return d;
}

/** The Shanghai calendar date of an instant. */
export function shanghaiDate(instant: Date): LocalDate {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The Shanghai wall-clock time of an instant, `HH:MM:SS`. */
export function shanghaiTime(instant: Date): LocalTime {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(11, 19);
}

/** `date` plus `days` calendar days. */
export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Source of "now", injectable so tests can stand at a release instant. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
