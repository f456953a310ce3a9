/**
 * What a patient is told when a booking is refused: the server's message for the code plus
 * what they can do next. Codes are the API's (api-types.gen.ts): one that no longer exists is
 * a type error here.
 */
import type { ApiErrorCode } from './types';

const ADVICE: Partial<Record<ApiErrorCode, string>> = {
  SLOT_FULL: '请返回选择其他时段或其他日期。',
  SLOT_NOT_RELEASED: '请在放号时间后再来预约。',
  SESSION_SUSPENDED: '请选择其他医生或其他日期。',
  SLOT_PAST: '请选择之后的时段。',
  ALREADY_BOOKED: '可在“我的预约”中查看已有的预约。',
  DAILY_LIMIT_REACHED: '请改约其他日期。',
  DEPARTMENT_DAILY_LIMIT_REACHED: '请改约其他日期。',
  BOOKING_BANNED: '如有疑问请联系医院门诊办公室。',
  PROFILE_NOT_FOUND: '请重新选择就诊人。',
  SLOT_NOT_FOUND: '该时段已调整，请返回重新选择。',
};

export function refusalText(code: string, message: string): string {
  const advice = ADVICE[code as ApiErrorCode];
  return advice ? `${message}，${advice}` : message;
}
