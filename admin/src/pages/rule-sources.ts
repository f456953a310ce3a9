/**
 * Where a rule's value in force comes from, resolved as the server does (rules/booking-rules.ts):
 * the department's own row → its parent department's row (大科) → the global row → the built-in default.
 */
import type { AdminDepartment, RuleBook, RuleOverrides } from '../api/schema';

export type RuleName = keyof RuleOverrides;

export const RULES: { name: RuleName; label: string; unit: string; min: number; max: number }[] = [
  { name: 'daysAhead', label: '提前放号天数', unit: '天', min: 1, max: 60 },
  { name: 'releaseTime', label: '每日放号时间', unit: '北京时间', min: 0, max: 0 },
  { name: 'cancelCutoffMinutes', label: '取消时限', unit: '分钟（就诊开始前）', min: 0, max: 10080 },
  { name: 'paymentHoldMinutes', label: '待支付保留', unit: '分钟', min: 1, max: 1440 },
  { name: 'maxPerProfilePerDay', label: '每位就诊人每天最多预约', unit: '个', min: 1, max: 20 },
  { name: 'maxPerProfilePerDepartmentPerDay', label: '每位就诊人每天每科室最多预约', unit: '个', min: 1, max: 20 },
  { name: 'maxProfilesPerAccount', label: '每个账号最多就诊人', unit: '人', min: 1, max: 20 },
  { name: 'noShowThreshold', label: '爽约多少次后暂停预约', unit: '次', min: 1, max: 100 },
  { name: 'noShowWindowDays', label: '爽约统计窗口', unit: '天', min: 1, max: 3650 },
  { name: 'noShowBanDays', label: '暂停预约天数', unit: '天', min: 1, max: 3650 },
  { name: 'checkInBeforeMinutes', label: '签到开始', unit: '分钟（时段开始前）', min: 0, max: 1440 },
  { name: 'checkInUntilMinutes', label: '签到截止', unit: '分钟（时段开始后）', min: 0, max: 1440 },
  { name: 'lateGraceMinutes', label: '迟到宽限', unit: '分钟（时段开始后）', min: 0, max: 1440 },
  { name: 'lateInterleave', label: '迟到/过号返回排在几位候诊患者之后', unit: '位', min: 1, max: 100 },
  { name: 'passLimit', label: '过号超过多少次不再叫号', unit: '次', min: 0, max: 20 },
  { name: 'noShowTier2Threshold', label: '第二档：爽约多少次', unit: '次', min: 1, max: 100 },
  { name: 'noShowTier2BanDays', label: '第二档：暂停预约天数', unit: '天', min: 1, max: 3650 },
  { name: 'waitlistOfferHoldMinutes', label: '候补成功后保留待支付', unit: '分钟', min: 1, max: 1440 },
  { name: 'waitlistCloseMinutes', label: '候补截止（360 即前一天 18:00）', unit: '分钟（就诊日 0 点前）', min: 0, max: 10080 },
  { name: 'waitlistMaxPerProfile', label: '每位就诊人同时候补最多', unit: '场', min: 1, max: 20 },
];

export interface Resolved {
  value: string | number;
  source: string;
}

/** The value in force for each rule of a scope (null = 全院), and the level it comes from. */
export function resolveRules(book: RuleBook, departments: AdminDepartment[], departmentId: number | null): Record<RuleName, Resolved> {
  const chain: { label: string; overrides: RuleOverrides }[] = [];
  if (departmentId !== null) {
    const department = departments.find((d) => d.id === departmentId);
    const own = book.departments.find((r) => r.departmentId === departmentId);
    if (own) chain.push({ label: '本科室设置', overrides: own.overrides });
    const parentId = department?.parentId ?? null;
    const parent = parentId === null ? undefined : book.departments.find((r) => r.departmentId === parentId);
    if (parent) chain.push({ label: `上级科室（${parent.departmentName}）`, overrides: parent.overrides });
  }
  chain.push({ label: '全院设置', overrides: book.global.overrides });
  const result = {} as Record<RuleName, Resolved>;
  for (const { name } of RULES) {
    const level = chain.find((c) => c.overrides[name] !== null);
    result[name] = level ? { value: level.overrides[name]!, source: level.label } : { value: book.defaults[name], source: '系统默认' };
  }
  return result;
}

export const showValue = (name: RuleName, value: string | number): string =>
  name === 'releaseTime' ? String(value).slice(0, 5) : String(value);
