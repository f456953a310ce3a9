/**
 * /api/v1/booking-rules, the rules in force as patients see them (public hospital policy); the
 * admin's settings of them: booking-rules-admin.routes.ts. Reading and changing them: rule-settings.ts.
 */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idSchema } from '../schemas.js';
import { publicRules } from './rule-settings.js';

const count = (max: number) => z.number().int().min(0).max(max);
export const ruleFields = {
  daysAhead: count(60).min(1).meta({ description: '提前放号天数' }),
  releaseTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/)
    .meta({ description: '每日放号时间（北京时间）HH:MM 或 HH:MM:SS' }),
  cancelCutoffMinutes: count(10_080).meta({ description: '就诊开始前多少分钟停止取消' }),
  paymentHoldMinutes: count(1440).min(1).meta({ description: '待支付订单保留分钟数' }),
  maxPerProfilePerDay: count(20).min(1).meta({ description: '每位就诊人每天最多预约数' }),
  maxPerProfilePerDepartmentPerDay: count(20).min(1).meta({ description: '每位就诊人每天每科室最多预约数' }),
  maxProfilesPerAccount: count(20).min(1).meta({ description: '每个账号最多就诊人数' }),
  noShowThreshold: count(100).min(1).meta({ description: '爽约多少次后暂停预约' }),
  noShowWindowDays: count(3650).min(1).meta({ description: '爽约统计窗口（天）' }),
  noShowBanDays: count(3650).min(1).meta({ description: '暂停预约天数' }),
  waitlistOfferHoldMinutes: count(1440).min(1).meta({ description: '候补号源保留待支付的分钟数' }),
  waitlistCloseMinutes: count(10_080).meta({ description: '候补截止：就诊日 0 点前多少分钟（360 = 前一天 18:00）' }),
  waitlistMaxPerProfile: count(20).min(1).meta({ description: '每位就诊人同时候补的出诊数上限' }),
  checkInBeforeMinutes: count(1440).meta({ description: '就诊时段开始前多少分钟可签到' }),
  checkInUntilMinutes: count(1440).meta({ description: '就诊时段开始后多少分钟内仍可签到（迟到截止）' }),
  lateGraceMinutes: count(1440).meta({ description: '时段开始后超过多少分钟签到算迟到（排在按时患者之后）' }),
  lateInterleave: count(100).min(1).meta({ description: '迟到或过号返回的患者排在多少位候诊患者之后' }),
  passLimit: count(20).meta({ description: '过号超过多少次不再叫号' }),
  noShowTier2Threshold: count(100).min(1).meta({ description: '第二档：统计窗口内爽约多少次' }),
  noShowTier2BanDays: count(3650).min(1).meta({ description: '第二档：暂停预约天数' }),
};

export const effectiveSchema = z.object(ruleFields).meta({ id: 'EffectiveBookingRules' });

export const bookingRuleRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/booking-rules',
    tag: 'catalogue',
    summary: '患者可见的预约规则（放号时间、取消时限、支付时限、预约限额），可按科室',
    auth: 'public',
    query: z.strictObject({ departmentId: idSchema.optional() }),
    response: effectiveSchema,
    errors: ['DEPARTMENT_NOT_FOUND'],
    handler: ({ deps, query }) => publicRules(deps.db, query.departmentId),
  }),
];
