/** The booking refusal of an account banned after repeated no-shows (visit/bans.ts applies the bans). */
import { AppError } from '../errors.js';
import { addDays, shanghaiDate } from '../time/shanghai.js';

/** `YYYY年M月D日`: the last Shanghai day of a ban ending at `endsAt` (a Shanghai midnight). */
export function banLastDay(endsAt: Date): string {
  const [y, m, d] = addDays(shanghaiDate(endsAt), -1).split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** BOOKING_BANNED, naming the ban's last day. */
export function bookingBanned(bannedUntil: Date): AppError {
  return new AppError('BOOKING_BANNED', `因多次预约未就诊，您的预约资格已暂停至 ${banLastDay(bannedUntil)}，如有疑问请联系医院门诊办公室`, {
    bannedUntil: bannedUntil.toISOString(),
  });
}
