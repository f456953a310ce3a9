import { cancelSourceLabels, periodLabels } from '../services/api-types.gen';

/** Money is carried in fen (integer) everywhere and shown as yuan with two decimals. */
export function formatFen(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

export const DOCTOR_TITLES: Record<string, string> = {
  chief: '主任医师',
  associate_chief: '副主任医师',
  attending: '主治医师',
  resident: '住院医师',
};

/** The server's label of each clinic period (上午/下午/晚上), generated with the API types. */
export const PERIOD_LABELS: Record<string, string> = periodLabels;

/** The server's label of each cancellation source (本人取消, 医生停诊, 医院停诊…), generated with the API types. */
export const CANCEL_SOURCE_LABELS: Record<string, string> = cancelSourceLabels;

export const APPOINTMENT_STATUS_LABELS: Record<string, string> = {
  pending_payment: '待支付',
  booked: '待就诊',
  checked_in: '已签到',
  completed: '已就诊',
  cancelled: '已取消',
  expired: '已失效',
  no_show: '未就诊',
  called: '叫号中',
  in_visit: '就诊中',
  passed: '已过号',
};

export const RELATION_LABELS: Record<string, string> = { self: '本人', child: '子女', parent: '父母', spouse: '配偶', other: '其他' };

/** Seconds as "mm:ss" for the payment countdown. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** 13800138000 → 138****8000: a phone is never shown in full. */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone;
}

/** 120 → "2小时", 90 → "1小时30分钟", 15 → "15分钟": rule durations as people say them. */
export function formatMinutes(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest}分钟`;
  return rest === 0 ? `${hours}小时` : `${hours}小时${rest}分钟`;
}
