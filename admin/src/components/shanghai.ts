/** Dates as the hospital counts them: Asia/Shanghai calendar days, whatever the browser's time zone. */
import dayjs, { type Dayjs } from 'dayjs';

const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today in Shanghai, `YYYY-MM-DD`. */
export const shanghaiToday = (): string => DAY.format(new Date());

/** The Monday of the week holding `date` (a Shanghai calendar day, handled as a plain date). */
export function mondayOf(date: string | Dayjs): Dayjs {
  const d = dayjs(date).startOf('day');
  return d.subtract((d.day() + 6) % 7, 'day');
}

export const formatDay = (d: Dayjs): string => d.format('YYYY-MM-DD');

const DATE_TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant (ISO string) as Shanghai wall-clock time, `YYYY-MM-DD HH:mm`. */
export function shanghaiDateTime(iso: string): string {
  const parts = Object.fromEntries(DATE_TIME.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** An instant (ISO string) as its Shanghai calendar day, `2026年12月4日` (how patients are told dates). */
export function shanghaiChineseDay(iso: string): string {
  const [y, m, d] = DAY.format(new Date(iso)).split('-');
  return `${Number(y)}年${Number(m)}月${Number(d)}日`;
}
