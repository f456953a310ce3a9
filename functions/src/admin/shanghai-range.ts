/** Admin filters name calendar days in Shanghai; queries need the instants that bound them. */
import { addDays, shanghaiToInstant, type LocalDate } from '../time/shanghai.js';

/**
 * `[from 00:00, (to + 1 day) 00:00)` in Shanghai as UTC instants: both days are inclusive, and a
 * row written at 23:59:59.999 Shanghai time belongs to its own day, not the next.
 */
export function shanghaiDayRange(from: LocalDate | undefined, to: LocalDate | undefined): { start?: Date; end?: Date } {
  return {
    ...(from ? { start: shanghaiToInstant(from, '00:00') } : {}),
    ...(to ? { end: shanghaiToInstant(addDays(to, 1), '00:00') } : {}),
  };
}
