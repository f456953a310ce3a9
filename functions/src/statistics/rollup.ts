/**
 * The counts of definitions.ts, per Shanghai day, department and doctor — computed live from
 * the base tables, or read from the daily rollup (stats_daily, stats_department_daily) that the
 * refresh-statistics job writes from the very same live queries.
 *
 * Why a rollup: a year of a large hospital is ~1.7 million appointments, and a year's
 * statistics from the base tables read every one of them (and the payments, slots and waitlist
 * entries beside them); the rollup holds one row per day, department and doctor (~100 k a
 * year). The job rolls up every day that has data, future visit days included, and rewrites
 * the days that can still change (from a week before its previous run on); requests read the
 * rollup up to `stats_rollup_state.rolled_through` and compute only later days live (none, once
 * the job has run: sessions created since then at most). So the statistics are as of the job's
 * last run (`refreshed_at`, shown on the dashboard) — every 10 minutes in production — and
 * before any run they are wholly live.
 *
 * Shanghai days in SQL: an instant's Shanghai day is `DATE(instant + INTERVAL 8 HOUR)` — the
 * fixed UTC+08:00 offset that time/shanghai.ts relies on too (no daylight saving since 1991);
 * range bounds are computed in TypeScript by shanghaiDayRange.
 */
import { sql, type RawBuilder } from 'kysely';
import { shanghaiDayRange } from '../admin/shanghai-range.js';
import type { Db } from '../db/create-db.js';
import { addDays, daysBetween, shanghaiDate, type LocalDate } from '../time/shanghai.js';
import type { CountName } from './definitions.js';

/** Column of stats_daily for each count of definitions.ts, in table order. */
export const COUNT_COLUMNS = {
  orders: 'orders',
  bookings: 'bookings',
  patientCancels: 'patient_cancels',
  visitsDue: 'visits_due',
  noShows: 'no_shows',
  capacity: 'capacity',
  placesTaken: 'places_taken',
  waitlistFulfilled: 'waitlist_fulfilled',
  waitlistClosed: 'waitlist_closed',
  waits: 'waits',
  waitMs: 'wait_ms',
  payments: 'payments',
  revenueFen: 'revenue_fen',
  refunds: 'refunds',
  refundFen: 'refund_fen',
} as const satisfies Record<CountName, string>;
const columns = Object.values(COUNT_COLUMNS);

/**
 * A day's counts can change until about a day after it (no-shows are marked after the
 * session); each run rewrites from this many days before its previous run, so late changes and
 * a paused scheduler are caught up.
 */
const REWRITE_DAYS = 7;
/** The furthest ahead a run looks for sessions to roll up (far beyond any booking horizon). */
const MAX_AHEAD_DAYS = 400;
/** Days rewritten per transaction (keeps each transaction and its locks short). */
const CHUNK_DAYS = 31;

/** One part of the live union: `values` gives some counts; every other count is 0. */
function part(key: string, values: Partial<Record<(typeof columns)[number], string>>, rest: RawBuilder<unknown>): RawBuilder<unknown> {
  const list = columns.map((c) => `${values[c] ?? '0'} AS ${c}`).join(', ');
  return sql`SELECT ${sql.raw(key)}, ${sql.raw(list)} ${rest}`;
}

/**
 * The per-day, department and doctor counts of the Shanghai days `from`…`to`, straight from the
 * base tables: a UNION ALL of one grouped query per source; several rows may share a key (the
 * caller sums them). Each source is read through the index on its own day column.
 */
export function liveDailyRows(from: LocalDate, to: LocalDate): RawBuilder<unknown> {
  const { start, end } = shanghaiDayRange(from, to);
  const key = (day: string, dept: string, doctor: string) => `${day} AS stat_date, ${dept} AS department_id, ${doctor} AS doctor_id`;
  const apptKey = key('a.session_date', 'a.department_id', 'a.doctor_id');
  const sessionKey = key('s.session_date', 's.department_id', 's.doctor_id');
  const parts = [
    part(key('DATE(a.created_at + INTERVAL 8 HOUR)', 'a.department_id', 'a.doctor_id'), { orders: 'COUNT(*)' }, sql`
      FROM appointment a
      WHERE a.created_at >= ${start} AND a.created_at < ${end} AND a.status <> 'expired'
      GROUP BY 1, 2, 3`),
    part(
      apptKey,
      {
        bookings: "SUM(a.status <> 'expired')",
        patient_cancels: "SUM(a.status = 'cancelled' AND a.cancelled_by = 'patient')",
        visits_due: "SUM(a.status IN ('checked_in', 'completed', 'no_show'))",
        no_shows: "SUM(a.status = 'no_show')",
        waits: 'SUM(a.checked_in_at IS NOT NULL AND a.called_at IS NOT NULL)',
        // A call recorded before the check-in (a clock fix-up) counts as no wait, not a negative one.
        wait_ms:
          'COALESCE(SUM(CASE WHEN a.checked_in_at IS NOT NULL AND a.called_at IS NOT NULL THEN GREATEST(0, TIMESTAMPDIFF(MICROSECOND, a.checked_in_at, a.called_at) DIV 1000) END), 0)',
      },
      sql`FROM appointment a WHERE a.session_date BETWEEN ${from} AND ${to} GROUP BY 1, 2, 3`,
    ),
    part(sessionKey, { capacity: 'SUM(sl.capacity)', places_taken: 'SUM(sl.capacity - sl.remaining)' }, sql`
      FROM clinic_session s JOIN slot sl ON sl.session_id = s.id
      WHERE s.session_date BETWEEN ${from} AND ${to} AND s.status = 'open'
      GROUP BY 1, 2, 3`),
    part(
      sessionKey,
      { waitlist_fulfilled: "SUM(w.status = 'fulfilled')", waitlist_closed: "SUM(w.status <> 'waiting')" },
      sql`FROM clinic_session s JOIN waitlist_entry w ON w.session_id = s.id
      WHERE s.session_date BETWEEN ${from} AND ${to}
      GROUP BY 1, 2, 3`,
    ),
    part(key('DATE(p.paid_at + INTERVAL 8 HOUR)', 'a.department_id', 'a.doctor_id'), { payments: 'COUNT(*)', revenue_fen: 'SUM(p.amount_fen)' }, sql`
      FROM payment p JOIN appointment a ON a.id = p.appointment_id
      WHERE p.paid_at >= ${start} AND p.paid_at < ${end}
      GROUP BY 1, 2, 3`),
    part(
      key('DATE(p.refunded_at + INTERVAL 8 HOUR)', 'a.department_id', 'a.doctor_id'),
      { refunds: 'COUNT(*)', refund_fen: 'COALESCE(SUM(p.refund_amount_fen), 0)' },
      sql`FROM payment p JOIN appointment a ON a.id = p.appointment_id
      WHERE p.refunded_at >= ${start} AND p.refunded_at < ${end} AND p.status = 'refunded'
      GROUP BY 1, 2, 3`,
    ),
  ];
  return sql.join(parts, sql` UNION ALL `);
}

/** Columns h00 … h23 of stats_department_daily: bookings per slot start hour. */
export const HOUR_COLUMNS = Array.from({ length: 24 }, (_, h) => `h${String(h).padStart(2, '0')}`);
const zeroHours = HOUR_COLUMNS.map((h) => `0 AS ${h}`).join(', ');
const zeroCounts = columns.map((c) => `0 AS ${c}`).join(', ');

/**
 * Per day and department, live: the counts of liveDailyRows summed over doctors, and the
 * bookings (definitions.ts `bookings`) per slot start hour; several rows may share a key.
 */
export function liveDepartmentRows(from: LocalDate, to: LocalDate): RawBuilder<unknown> {
  const hours = HOUR_COLUMNS.map((h, i) => `SUM(HOUR(a.slot_start) = ${i}) AS ${h}`).join(', ');
  return sql`SELECT stat_date, department_id, ${sql.raw(columns.join(', '))}, ${sql.raw(zeroHours)}
      FROM (${liveDailyRows(from, to)}) d
    UNION ALL
    SELECT a.session_date AS stat_date, a.department_id, ${sql.raw(zeroCounts)}, ${sql.raw(hours)}
      FROM appointment a
      WHERE a.session_date BETWEEN ${from} AND ${to} AND a.status <> 'expired'
      GROUP BY 1, 2`;
}

export interface RollupState {
  rolledThrough: LocalDate;
  refreshedAt: Date;
}

/** How far the rollup goes and when it was last refreshed; null before the job's first run. */
export async function rollupState(db: Db): Promise<RollupState | null> {
  const row = await db.selectFrom('stats_rollup_state').select(['rolled_through', 'refreshed_at']).where('id', '=', 1).executeTakeFirst();
  return row ? { rolledThrough: row.rolled_through, refreshedAt: new Date(row.refreshed_at) } : null;
}

/** The last day the rollup holds, or null before the job's first run. */
export async function rolledThrough(db: Db): Promise<LocalDate | null> {
  return (await rollupState(db))?.rolledThrough ?? null;
}

/**
 * The rows of `from`…`to` for a statistics query: from the rollup for days it holds, live for
 * the rest. `doctor` rows have the stats_daily columns (per doctor); `department` rows the
 * stats_department_daily ones (per department, with the hour columns).
 */
export function sourceRows(kind: 'doctor' | 'department', from: LocalDate, to: LocalDate, rolled: LocalDate | null): RawBuilder<unknown> {
  const live = kind === 'doctor' ? liveDailyRows : liveDepartmentRows;
  const table = kind === 'doctor' ? 'stats_daily' : 'stats_department_daily';
  const cols = kind === 'doctor' ? ['stat_date', 'department_id', 'doctor_id', ...columns] : ['stat_date', 'department_id', ...columns, ...HOUR_COLUMNS];
  if (rolled === null || rolled < from) return live(from, to);
  const rolledTo = rolled < to ? rolled : to;
  const stored = sql`SELECT ${sql.raw(cols.join(', '))} FROM ${sql.table(table)} WHERE stat_date BETWEEN ${from} AND ${rolledTo}`;
  return rolledTo === to ? stored : sql`${stored} UNION ALL ${live(addDays(rolledTo, 1), to)}`;
}

/** Replaces the rollup rows of `from`…`to` with freshly computed ones, in one transaction. */
async function rewriteDays(db: Db, from: LocalDate, to: LocalDate): Promise<void> {
  const sums = columns.map((c) => `SUM(${c})`).join(', ');
  const hourSums = HOUR_COLUMNS.map((h) => `SUM(${h})`).join(', ');
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('stats_daily').where('stat_date', '>=', from).where('stat_date', '<=', to).execute();
    await trx.deleteFrom('stats_department_daily').where('stat_date', '>=', from).where('stat_date', '<=', to).execute();
    await sql`INSERT INTO stats_daily (stat_date, department_id, doctor_id, ${sql.raw(columns.join(', '))})
      SELECT stat_date, department_id, doctor_id, ${sql.raw(sums)}
      FROM (${liveDailyRows(from, to)}) u
      GROUP BY stat_date, department_id, doctor_id`.execute(trx);
    // The department rows from the doctor rows just written (not the base tables again), plus the hours.
    await sql`INSERT INTO stats_department_daily (stat_date, department_id, ${sql.raw(columns.join(', '))}, ${sql.raw(HOUR_COLUMNS.join(', '))})
      SELECT stat_date, department_id, ${sql.raw(sums)}, ${sql.raw(hourSums)}
      FROM (SELECT stat_date, department_id, ${sql.raw(columns.join(', '))}, ${sql.raw(zeroHours)}
              FROM stats_daily WHERE stat_date BETWEEN ${from} AND ${to}
            UNION ALL
            SELECT a.session_date, a.department_id, ${sql.raw(zeroCounts)},
                   ${sql.raw(HOUR_COLUMNS.map((h, i) => `SUM(HOUR(a.slot_start) = ${i})`).join(', '))}
              FROM appointment a
              WHERE a.session_date BETWEEN ${from} AND ${to} AND a.status <> 'expired'
              GROUP BY 1, 2) u
      GROUP BY stat_date, department_id`.execute(trx);
  });
}

/** The first Shanghai day any count can fall on (null: no data at all). */
async function firstDataDay(db: Db): Promise<LocalDate | null> {
  const row = await sql<{ first_visit: string | null; first_order: Date | null }>`
    SELECT (SELECT MIN(session_date) FROM clinic_session) AS first_visit,
           (SELECT MIN(created_at) FROM appointment) AS first_order`.execute(db);
  const { first_visit: visit, first_order: order } = row.rows[0] ?? { first_visit: null, first_order: null };
  const orderDay = order ? shanghaiDate(new Date(order)) : null;
  if (!visit) return orderDay;
  if (!orderDay) return visit;
  return visit < orderDay ? visit : orderDay;
}

/** The last day with data: today (orders and payments happen now) or the last scheduled session. */
async function lastDataDay(db: Db, today: LocalDate): Promise<LocalDate> {
  const limit = addDays(today, MAX_AHEAD_DAYS);
  const row = await db.selectFrom('clinic_session').select((eb) => eb.fn.max('session_date').as('last')).where('session_date', '<=', limit).executeTakeFirst();
  const last = row?.last ? String(row.last) : null;
  return last && last > today ? last : today;
}

export interface RollupSummary {
  from: LocalDate | null;
  through: LocalDate | null;
  days: number;
}

/**
 * The refresh-statistics job's work: rolls up every day from a week before the previous run
 * (all history on the first run) to the last day with data, each day replaced whole in its
 * chunk's transaction, so runs may repeat or overlap and end with the same rows. The watermark
 * and the refresh instant only move forward, and only after their days are written.
 */
export async function refreshRollup(db: Db, now: Date): Promise<RollupSummary> {
  const today = shanghaiDate(now);
  const previous = await rollupState(db);
  let from: LocalDate | null;
  if (previous === null) from = await firstDataDay(db);
  else {
    const lastRun = shanghaiDate(previous.refreshedAt);
    from = addDays(lastRun < today ? lastRun : today, -REWRITE_DAYS);
  }
  if (from === null) return { from: null, through: null, days: 0 };
  const through = await lastDataDay(db, today);
  for (let chunkFrom = from; chunkFrom <= through; chunkFrom = addDays(chunkFrom, CHUNK_DAYS)) {
    const chunkTo = addDays(chunkFrom, CHUNK_DAYS - 1) < through ? addDays(chunkFrom, CHUNK_DAYS - 1) : through;
    await rewriteDays(db, chunkFrom, chunkTo);
    await sql`INSERT INTO stats_rollup_state (id, rolled_through, refreshed_at) VALUES (1, ${chunkTo}, ${previous?.refreshedAt ?? now})
      ON DUPLICATE KEY UPDATE rolled_through = GREATEST(rolled_through, VALUES(rolled_through))`.execute(db);
  }
  // Every day the run covered is now as of `now`: only then may the refresh instant say so.
  await sql`UPDATE stats_rollup_state SET refreshed_at = GREATEST(refreshed_at, ${now}) WHERE id = 1`.execute(db);
  return { from, through, days: daysBetween(from, through) + 1 };
}
