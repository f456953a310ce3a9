/**
 * Quiet hours: no SMS from 22:00 to 07:00 Shanghai time, except urgent messages (停诊). A
 * message due in quiet hours is deferred to the next 07:00, never dropped. WeChat and in-app
 * messages are silent and go out at any hour.
 */
import { addDays, shanghaiDate, shanghaiTime, shanghaiToInstant } from '../time/shanghai.js';

export const QUIET_FROM = '22:00:00';
export const QUIET_UNTIL = '07:00:00';

/** True when `instant` falls in Shanghai's quiet hours [22:00, 07:00). */
export function inQuietHours(instant: Date): boolean {
  const time = shanghaiTime(instant);
  return time >= QUIET_FROM || time < QUIET_UNTIL;
}

/** The 07:00 Shanghai that ends the quiet hours `instant` is in (or the next one). */
export function quietHoursEnd(instant: Date): Date {
  const date = shanghaiDate(instant);
  const day = shanghaiTime(instant) >= QUIET_FROM ? addDays(date, 1) : date;
  return shanghaiToInstant(day, QUIET_UNTIL);
}
