/**
 * The statistics dashboard's numbers for a range of Shanghai days and, optionally, a department
 * (with its 小科): bookings and money per day, the 热门科室 ranking, the top doctors, the
 * time-of-day distribution and the rates of definitions.ts. Each chart is one grouped query
 * over rollup.ts's rows: the daily rollup, and live rows for days it does not hold yet.
 */
import { sql, type RawBuilder } from 'kysely';
import * as z from 'zod';
import { AppError } from '../errors.js';
import type { Db } from '../db/create-db.js';
import { idSchema, localDateSchema } from '../schemas.js';
import { addDays, daysBetween, shanghaiDate, type LocalDate } from '../time/shanghai.js';
import { COUNTS, type CountName, type Counts, definitions, definitionSchema, rate, RATES, type RateName } from './definitions.js';
import { COUNT_COLUMNS, HOUR_COLUMNS, rollupState, sourceRows } from './rollup.js';

/** Longest range one request may ask for (two years and a day, so leap years always fit). */
export const MAX_RANGE_DAYS = 731;
const DEFAULT_RANGE_DAYS = 30;
const TOP = 10;

export const statisticsQuerySchema = z.strictObject({
  from: localDateSchema.optional().meta({ description: '起始日（含，北京时间）；缺省为截止日前 29 天' }),
  to: localDateSchema.optional().meta({ description: '截止日（含，北京时间）；缺省为今天' }),
  departmentId: idSchema.optional().meta({ description: '科室（含其下小科）' }),
});
export type StatisticsQuery = z.output<typeof statisticsQuerySchema>;

export interface StatisticsFilter {
  from: LocalDate;
  to: LocalDate;
  departmentId?: number;
}

/** The query's range with its defaults applied; refuses reversed or over-long ranges (400). */
export function resolveFilter(query: StatisticsQuery, now: Date): StatisticsFilter {
  const to = query.to ?? shanghaiDate(now);
  const from = query.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (from > to) throw new AppError('VALIDATION_FAILED', '起始日不能晚于截止日', { field: 'from' });
  if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) {
    throw new AppError('VALIDATION_FAILED', `统计范围最长 ${MAX_RANGE_DAYS} 天`, { field: 'from' });
  }
  return { from, to, ...(query.departmentId !== undefined ? { departmentId: query.departmentId } : {}) };
}

const countNames = Object.keys(COUNT_COLUMNS) as CountName[];
const countsShape = Object.fromEntries(countNames.map((c) => [c, z.number().int().meta({ description: COUNTS[c] })])) as Record<
  CountName,
  z.ZodNumber
>;
const countsSchema = z.object(countsShape).meta({ id: 'StatisticCounts' });
const ratesSchema = z
  .object(Object.fromEntries(Object.keys(RATES).map((r) => [r, z.number().nullable()])) as Record<RateName, z.ZodNullable<z.ZodNumber>>)
  .meta({ id: 'StatisticRates', description: '比率为 0–1 的小数，平均候诊为分钟；分母为 0 时为 null' });

export const dailyPointSchema = countsSchema.extend({ date: z.iso.date(), rates: ratesSchema });
export const departmentRankSchema = z.object({
  departmentId: z.number().int(),
  name: z.string(),
  bookings: z.number().int(),
  patientCancels: z.number().int(),
  noShows: z.number().int(),
  visitsDue: z.number().int(),
});
export const doctorRankSchema = z.object({
  doctorId: z.number().int(),
  name: z.string(),
  departmentName: z.string(),
  bookings: z.number().int(),
});
export const hourPointSchema = z.object({ hour: z.number().int().min(0).max(23), bookings: z.number().int() });

export const statisticsSchema = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    departmentId: z.number().int().nullable(),
    refreshedAt: z.iso.datetime().nullable().meta({
      description: '统计汇总表的更新时间：此前的数据按此时刻统计（每 10 分钟更新）；null 表示尚未汇总，全部实时统计',
    }),
    definitions: z.array(definitionSchema),
    totals: countsSchema,
    rates: ratesSchema,
    daily: z.array(dailyPointSchema).meta({ description: '范围内每一天一项（无数据的日子计 0）' }),
    departments: z.array(departmentRankSchema).meta({ description: `热门科室：按预约数排前 ${TOP}` }),
    doctors: z.array(doctorRankSchema).meta({ description: `预约数前 ${TOP} 的医生` }),
    hours: z.array(hourPointSchema).meta({ description: '按号源开始时刻（小时）的预约数，仅含有预约的小时' }),
  })
  .meta({ id: 'Statistics' });
export type Statistics = z.infer<typeof statisticsSchema>;
export type DailyPoint = z.infer<typeof dailyPointSchema>;

const num = (v: unknown): number => Number(v ?? 0);
const zeroCounts = (): Counts => Object.fromEntries(countNames.map((c) => [c, 0])) as Counts;
const sumList = countNames.map((c) => `SUM(r.${COUNT_COLUMNS[c]}) AS ${COUNT_COLUMNS[c]}`).join(', ');

/**
 * `rows` narrowed to the filter's department and its 小科. The ids are looked up first, so the
 * grouped queries read only the rollup rows, with no join per row.
 */
function scoped(rows: RawBuilder<unknown>, departments: readonly number[] | null): RawBuilder<unknown> {
  const where = departments === null ? sql`` : sql`WHERE r.department_id IN (${sql.join(departments)})`;
  return sql`FROM (${rows}) r ${where}`;
}

/** The filter's department with its 小科, or null for the whole hospital. */
export async function departmentScope(db: Db, filter: StatisticsFilter): Promise<number[] | null> {
  if (filter.departmentId === undefined) return null;
  const id = filter.departmentId;
  const rows = await db.selectFrom('department').select('id').where((eb) => eb.or([eb('id', '=', id), eb('parent_id', '=', id)])).execute();
  return rows.length > 0 ? rows.map((r) => r.id) : [id];
}

/** Every count per day of the range (days without data included, as zeros), oldest first. */
export async function dailyCounts(db: Db, filter: StatisticsFilter, rolled: LocalDate | null, scope: number[] | null): Promise<DailyPoint[]> {
  const result = await sql<Record<string, unknown>>`SELECT r.stat_date, ${sql.raw(sumList)}
    ${scoped(sourceRows('department', filter.from, filter.to, rolled), scope)}
    GROUP BY r.stat_date`.execute(db);
  const byDate = new Map(result.rows.map((row) => [String(row.stat_date), row]));
  const days: DailyPoint[] = [];
  for (let date = filter.from; date <= filter.to; date = addDays(date, 1)) {
    const row = byDate.get(date);
    const counts = zeroCounts();
    if (row) for (const c of countNames) counts[c] = num(row[COUNT_COLUMNS[c]]);
    days.push({ date, ...counts, rates: ratesOf(counts) });
  }
  return days;
}

/** 热门科室: the departments with the most bookings (visit day in range), most first. */
export async function departmentRanking(db: Db, filter: StatisticsFilter, rolled: LocalDate | null, scope: number[] | null) {
  // Ranked on the rollup rows first, then named: only the top rows join the department table.
  const result = await sql<Record<string, unknown>>`
    SELECT t.*, dep.name
    FROM (SELECT r.department_id, SUM(r.bookings) AS bookings, SUM(r.patient_cancels) AS patient_cancels,
                 SUM(r.no_shows) AS no_shows, SUM(r.visits_due) AS visits_due
          ${scoped(sourceRows('department', filter.from, filter.to, rolled), scope)}
          GROUP BY r.department_id
          HAVING SUM(r.bookings) > 0
          ORDER BY bookings DESC, r.department_id
          LIMIT ${TOP}) t
    JOIN department dep ON dep.id = t.department_id
    ORDER BY t.bookings DESC, t.department_id`.execute(db);
  return result.rows.map((row) => ({
    departmentId: num(row.department_id),
    name: String(row.name),
    bookings: num(row.bookings),
    patientCancels: num(row.patient_cancels),
    noShows: num(row.no_shows),
    visitsDue: num(row.visits_due),
  }));
}

/** The doctors with the most bookings (visit day in range), most first. */
export async function doctorRanking(db: Db, filter: StatisticsFilter, rolled: LocalDate | null, scope: number[] | null) {
  // Ranked on the rollup rows first, then named: only the top rows join the doctor table.
  const result = await sql<Record<string, unknown>>`
    SELECT t.doctor_id, t.bookings, d.name, dep.name AS department_name
    FROM (SELECT r.doctor_id, MIN(r.department_id) AS department_id, SUM(r.bookings) AS bookings
          ${scoped(sourceRows('doctor', filter.from, filter.to, rolled), scope)}
          GROUP BY r.doctor_id
          HAVING SUM(r.bookings) > 0
          ORDER BY bookings DESC, r.doctor_id
          LIMIT ${TOP}) t
    JOIN doctor d ON d.id = t.doctor_id
    JOIN department dep ON dep.id = t.department_id
    ORDER BY t.bookings DESC, t.doctor_id`.execute(db);
  return result.rows.map((row) => ({
    doctorId: num(row.doctor_id),
    name: String(row.name),
    departmentName: String(row.department_name),
    bookings: num(row.bookings),
  }));
}

/** Bookings (visit day in range) per slot start hour, earliest first; hours without any left out. */
export async function hourlyDistribution(db: Db, filter: StatisticsFilter, rolled: LocalDate | null, scope: number[] | null) {
  const result = await sql<Record<string, unknown>>`SELECT ${sql.raw(HOUR_COLUMNS.map((h) => `SUM(r.${h}) AS ${h}`).join(', '))}
    ${scoped(sourceRows('department', filter.from, filter.to, rolled), scope)}`.execute(db);
  const row = result.rows[0] ?? {};
  return HOUR_COLUMNS.map((h, hour) => ({ hour, bookings: num(row[h]) })).filter((h) => h.bookings > 0);
}

/** Every rate of definitions.ts for one set of counts. */
export function ratesOf(counts: Counts): Record<RateName, number | null> {
  return Object.fromEntries((Object.keys(RATES) as RateName[]).map((r) => [r, rate(r, counts)])) as Record<RateName, number | null>;
}

/** Sums the daily points into the range's totals. */
export function totalsOf(daily: readonly DailyPoint[]): Counts {
  const totals = zeroCounts();
  for (const day of daily) for (const c of countNames) totals[c] += day[c];
  return totals;
}

/** The whole dashboard for a filter: four grouped queries over the rollup and the live days. */
export async function statistics(db: Db, filter: StatisticsFilter): Promise<Statistics> {
  const [state, scope] = await Promise.all([rollupState(db), departmentScope(db, filter)]);
  const rolled = state?.rolledThrough ?? null;
  const [daily, departments, doctors, hours] = await Promise.all([
    dailyCounts(db, filter, rolled, scope),
    departmentRanking(db, filter, rolled, scope),
    doctorRanking(db, filter, rolled, scope),
    hourlyDistribution(db, filter, rolled, scope),
  ]);
  const totals = totalsOf(daily);
  return {
    from: filter.from,
    to: filter.to,
    departmentId: filter.departmentId ?? null,
    refreshedAt: state ? state.refreshedAt.toISOString() : null,
    definitions: definitions(),
    totals,
    rates: ratesOf(totals),
    daily,
    departments,
    doctors,
    hours,
  };
}
