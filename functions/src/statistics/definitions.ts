/**
 * What every statistic counts: the one place that names each rate's numerator and
 * denominator and the day each count belongs to. The API returns these texts with the numbers
 * (the dashboard shows them in tooltips), and rollup.ts computes exactly these counts, so a
 * definition changed here is a definition changed everywhere.
 *
 * Days are Asia/Shanghai calendar days. A count is filed under one of three days:
 *   - 就诊日 (visit day): the session's date, already a Shanghai date;
 *   - 下单日 (order day): the Shanghai day of the instant the appointment was created;
 *   - 支付日 / 退款日: the Shanghai day of the payment's or refund's instant.
 * A date-range filter selects each count by its own day.
 */
import * as z from 'zod';

/** The counts a statistic is made of (columns of stats_daily and stats_department_daily). */
export const COUNTS = {
  orders: '下单数：下单日在范围内、且未因超时未支付而失效（expired 以外）的预约',
  bookings: '预约数：就诊日在范围内、未因超时未支付而失效（expired 以外）的预约；含其后退号、停诊取消的',
  patientCancels: '患者退号数：就诊日在范围内、由患者本人取消（cancelled_by = patient）的预约；停诊等院方取消不计',
  visitsDue: '应就诊数：就诊日在范围内、已到就诊结果的预约（已签到、已完成、爽约）',
  noShows: '爽约数：就诊日在范围内、被标记为爽约（no_show）的预约',
  capacity: '号源数：就诊日在范围内、未停诊出诊的全部号源容量（停诊出诊不计）',
  placesTaken: '已占号源数：上述号源中已被预约占用的（容量 − 剩余，含待支付锁号）',
  waitlistFulfilled: '候补兑现数：就诊日在范围内的出诊上已兑现（fulfilled）的候补',
  waitlistClosed: '候补结束数：就诊日在范围内的出诊上已结束的候补（兑现、取消、过期；仍在等待的不计）',
  waits: '候诊样本数：就诊日在范围内、既有签到时间又有叫号时间的预约',
  waitMs: '候诊总时长：上述预约从签到到叫号的时长之和',
  payments: '支付笔数：支付日在范围内的挂号费支付',
  revenueFen: '挂号费收入：支付日在范围内的支付金额之和（分），其后退款的也计入，退款另计',
  refunds: '退款笔数：退款日在范围内已退款的支付',
  refundFen: '退款金额：退款日在范围内的退款金额之和（分）',
} as const;
export type CountName = keyof typeof COUNTS;
export type Counts = Record<CountName, number>;

/** A rate: numerator ÷ denominator, null when the denominator is 0 (no data is not 0 %). */
interface RateDefinition {
  label: string;
  numerator: CountName;
  denominator: CountName;
  /** Shown when the value is a per-item average rather than a share (minutes, not %). */
  unit: 'percent' | 'minutes';
}

export const RATES = {
  utilisation: { label: '号源利用率', numerator: 'placesTaken', denominator: 'capacity', unit: 'percent' },
  cancellationRate: { label: '退号率', numerator: 'patientCancels', denominator: 'bookings', unit: 'percent' },
  noShowRate: { label: '爽约率', numerator: 'noShows', denominator: 'visitsDue', unit: 'percent' },
  waitlistFillRate: { label: '候补兑现率', numerator: 'waitlistFulfilled', denominator: 'waitlistClosed', unit: 'percent' },
  averageWaitMinutes: { label: '平均候诊时长（签到→叫号）', numerator: 'waitMs', denominator: 'waits', unit: 'minutes' },
} as const satisfies Record<string, RateDefinition>;
export type RateName = keyof typeof RATES;

const MS_PER_MINUTE = 60_000;

/**
 * A rate from its counts: a share in [0, 1] rounded to 4 places, or average minutes rounded to
 * 1 place; null when the denominator is 0.
 */
export function rate(name: RateName, counts: Counts): number | null {
  const def = RATES[name];
  const denominator = counts[def.denominator];
  if (denominator === 0) return null;
  const value = counts[def.numerator] / denominator;
  return def.unit === 'minutes' ? Math.round((value / MS_PER_MINUTE) * 10) / 10 : Math.round(value * 10_000) / 10_000;
}

export const definitionSchema = z
  .object({
    key: z.string(),
    label: z.string(),
    unit: z.enum(['percent', 'minutes', 'count', 'fen', 'ms']),
    numerator: z.string().meta({ description: '分子（或计数）的定义' }),
    denominator: z.string().nullable().meta({ description: '分母的定义；计数类指标为 null' }),
  })
  .meta({ id: 'StatisticDefinition' });
export type StatisticDefinition = z.infer<typeof definitionSchema>;

/** Every definition the dashboard shows: the rates, then the plain counts. */
export function definitions(): StatisticDefinition[] {
  const rates = Object.entries(RATES).map(([key, def]) => ({
    key,
    label: def.label,
    unit: def.unit,
    numerator: COUNTS[def.numerator],
    denominator: COUNTS[def.denominator],
  }));
  const counts = Object.entries(COUNTS).map(([key, text]) => ({
    key,
    label: text.slice(0, text.indexOf('：')),
    unit: key.endsWith('Fen') ? ('fen' as const) : key === 'waitMs' ? ('ms' as const) : ('count' as const),
    numerator: text,
    denominator: null,
  }));
  return [...rates, ...counts];
}
