/**
 * Clinic dates and times are Asia/Shanghai wall-clock, whatever the phone's time zone. China
 * has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and needs no
 * Intl time-zone data (which some mini-program JS engines lack).
 */
import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);

const SHANGHAI_OFFSET_MINUTES = 8 * 60;
const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

/** An instant (ISO string, Date or now) as Shanghai wall-clock. */
export function inShanghai(instant?: string | Date): Dayjs {
  return dayjs(instant).utcOffset(SHANGHAI_OFFSET_MINUTES);
}

/** Today's clinic date, YYYY-MM-DD. */
export function shanghaiToday(): string {
  return inShanghai().format('YYYY-MM-DD');
}

/** A clinic date (YYYY-MM-DD) plus days. Calendar arithmetic only, so UTC is exact here. */
export function addDays(date: string, days: number): string {
  return dayjs.utc(date).add(days, 'day').format('YYYY-MM-DD');
}

export function weekdayOf(date: string): string {
  return WEEKDAYS[dayjs.utc(date).day()] ?? '';
}

/** "11月26日 周四" */
export function formatClinicDate(date: string): string {
  const d = dayjs.utc(date);
  return `${d.month() + 1}月${d.date()}日 ${weekdayOf(date)}`;
}

/** "今天" / "明天" / "11-26", for date strips. */
export function shortDayLabel(date: string, today = shanghaiToday()): string {
  if (date === today) return '今天';
  if (date === addDays(today, 1)) return '明天';
  return dayjs.utc(date).format('MM-DD');
}

/** An instant as "2026-11-26 08:00" Shanghai time. */
export function formatInstant(instant: string): string {
  return inShanghai(instant).format('YYYY-MM-DD HH:mm');
}

/** "08:00:00" or "08:00" → "08:00": the calendar carries seconds, people do not read them. */
export function hhmm(time: string): string {
  return time.slice(0, 5);
}

/** The last instant a booking can be cancelled: `cutoffMinutes` before the slot starts. */
export function cancelDeadline(startsAt: string, cutoffMinutes: number): Dayjs {
  return inShanghai(startsAt).subtract(cutoffMinutes, 'minute');
}
