/**
 * Reading the queue. The doctor's screen: a session's counts, the patient being called or seen,
 * the waiting list in calling order, the passed and the not yet arrived. The patient's live
 * status: ONE indexed query per read (hundreds of patients poll a session every few seconds) —
 * the appointment by primary key, the number of waiting patients ahead of it (a range COUNT on
 * ix_appointment_queue), the number being called (uq_appointment_calling) and the rule rows of
 * its department (for the check-in window), all in one statement.
 */
import { sql } from 'kysely';
import type { AppointmentStatus } from '../booking/appointment-view.js';
import type { Db } from '../db/create-db.js';
import { AppError } from '../errors.js';
import { overridesFromColumns, resolveRules, ruleColumnsSql } from '../rules/booking-rules.js';
import { shanghaiTime } from '../time/shanghai.js';
import { checkInWindow } from './check-in.js';

/** Where a called patient goes: 科室 and 诊室 (the doctor's room, else the department's location). */
export function roomLabel(departmentName: string, room: string | null, location: string | null): string {
  return [departmentName, room ?? location].filter(Boolean).join(' ');
}

export interface QueueEntry {
  appointmentId: number;
  queueNumber: number;
  patientName: string;
  gender: 'male' | 'female';
  status: AppointmentStatus;
  slotStart: string;
  late: boolean;
  passedCount: number;
  checkedInAt: string | null;
  calledAt: string | null;
}

export interface SessionQueue {
  session: { id: number; date: string; period: 'morning' | 'afternoon' | 'evening'; startTime: string; endTime: string; status: 'open' | 'suspended'; departmentName: string; room: string };
  counts: { total: number; checkedIn: number; waiting: number; completed: number; passed: number; noShow: number };
  current: QueueEntry | null;
  waiting: QueueEntry[];
  passed: QueueEntry[];
  notArrived: QueueEntry[];
}

/** The queue of `sessionId` (the caller checked it is the doctor's own): one read of its active appointments. */
export async function sessionQueue(db: Db, sessionId: number): Promise<SessionQueue> {
  const session = await db
    .selectFrom('clinic_session as s')
    .innerJoin('department as dep', 'dep.id', 's.department_id')
    .innerJoin('doctor as d', 'd.id', 's.doctor_id')
    .select(['s.id', 's.session_date', 's.period', 's.start_time', 's.end_time', 's.status', 'dep.name as department_name', 'dep.location', 'd.room'])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  if (!session) throw new AppError('SESSION_NOT_FOUND');
  const rows = await db
    .selectFrom('appointment as a')
    .innerJoin('patient_profile as p', 'p.id', 'a.profile_id')
    .select(['a.id', 'a.queue_number', 'p.real_name', 'p.gender', 'a.status', 'a.slot_start', 'a.queue_late', 'a.passed_count', 'a.checked_in_at', 'a.called_at', 'a.queue_key'])
    .where('a.session_id', '=', sessionId)
    .where('a.holds_place', '=', 1)
    .orderBy('a.queue_key')
    .orderBy('a.id')
    .execute();
  const entries = rows.map(
    (r): QueueEntry => ({
      appointmentId: r.id,
      queueNumber: r.queue_number,
      patientName: r.real_name,
      gender: r.gender,
      status: r.status,
      slotStart: r.slot_start.slice(0, 5),
      late: r.queue_late === 1,
      passedCount: r.passed_count,
      checkedInAt: r.checked_in_at?.toISOString() ?? null,
      calledAt: r.called_at?.toISOString() ?? null,
    }),
  );
  const byNumber = (a: QueueEntry, b: QueueEntry) => a.queueNumber - b.queueNumber;
  const having = (...statuses: AppointmentStatus[]) => entries.filter((e) => statuses.includes(e.status));
  return {
    session: {
      id: session.id,
      date: session.session_date,
      period: session.period,
      startTime: session.start_time.slice(0, 5),
      endTime: session.end_time.slice(0, 5),
      status: session.status,
      departmentName: session.department_name,
      room: roomLabel(session.department_name, session.room, session.location),
    },
    counts: {
      total: entries.length,
      checkedIn: entries.filter((e) => e.checkedInAt !== null).length,
      waiting: having('checked_in').length,
      completed: having('completed').length,
      passed: having('passed').length,
      noShow: having('no_show').length,
    },
    current: having('called', 'in_visit')[0] ?? null,
    // Already in calling order (queue_key, id): the ORDER BY of 叫号.
    waiting: having('checked_in'),
    passed: having('passed').sort(byNumber),
    notArrived: having('booked', 'pending_payment').sort(byNumber),
  };
}

export type QueueCounts = SessionQueue['counts'];

/**
 * 今日: the counts of each of a doctor's sessions on `date`, in one GROUP BY over the doctor's
 * appointments that day (ix_appointment_doctor_date). Sessions without appointments are absent.
 */
export async function countsByDoctorDay(db: Db, doctorId: number, date: string): Promise<Array<{ sessionId: number; counts: QueueCounts }>> {
  const result = await sql<{ session_id: number; total: number; checked_in: number; waiting: number; completed: number; passed: number; no_show: number }>`
    SELECT session_id, COUNT(*) AS total, SUM(checked_in_at IS NOT NULL) AS checked_in,
           SUM(status = 'checked_in') AS waiting, SUM(status = 'completed') AS completed,
           SUM(status = 'passed') AS passed, SUM(status = 'no_show') AS no_show
      FROM appointment
     WHERE doctor_id = ${doctorId} AND session_date = ${date} AND holds_place = 1
     GROUP BY session_id
     ORDER BY session_id`.execute(db);
  return result.rows.map((r) => ({
    sessionId: Number(r.session_id),
    counts: { total: Number(r.total), checkedIn: Number(r.checked_in), waiting: Number(r.waiting), completed: Number(r.completed), passed: Number(r.passed), noShow: Number(r.no_show) },
  }));
}

export interface QueueStatus {
  appointmentId: number;
  status: AppointmentStatus;
  queueNumber: number;
  /** Waiting patients ahead (only while checked in). */
  ahead: number | null;
  /** The number being called or seen now in this session. */
  callingNumber: number | null;
  room: string;
  /** What the patient's screen says, in Chinese. */
  message: string;
  checkIn: { opensAt: string; closesAt: string; open: boolean };
}

/**
 * The patient's live status of their own appointment (undefined: not theirs or missing), in
 * one statement. `ahead` counts waiting patients whose (queue_key, id) sorts before this one's.
 */
export async function queueStatus(db: Db, accountId: number, appointmentId: number, now: Date): Promise<QueueStatus | undefined> {
  const rules = ['rd', 'rp', 'rg'];
  const result = await sql<Record<string, unknown>>`
    SELECT a.id, a.status, a.queue_number, a.session_date, a.slot_start, a.passed_count,
           dep.name AS department_name, dep.location, d.room,
           CASE WHEN a.status = 'checked_in' THEN (
             SELECT COUNT(*) FROM appointment w
              WHERE w.session_id = a.session_id AND w.status = 'checked_in'
                AND (w.queue_key < a.queue_key OR (w.queue_key = a.queue_key AND w.id < a.id))
           ) END AS ahead,
           (SELECT c.queue_number FROM appointment c WHERE c.calling_session_id = a.session_id) AS calling_number,
           ${sql.raw(rules.map(ruleColumnsSql).join(', '))}
      FROM appointment a
      JOIN department dep ON dep.id = a.department_id
      JOIN doctor d ON d.id = a.doctor_id
      LEFT JOIN booking_rule rd ON rd.scope_key = dep.id
      LEFT JOIN booking_rule rp ON rp.scope_key = dep.parent_id
      LEFT JOIN booking_rule rg ON rg.scope_key = 0
     WHERE a.id = ${appointmentId} AND a.account_id = ${accountId}`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const effective = resolveRules(rules.map((alias) => overridesFromColumns(row, alias)));
  const window = checkInWindow(String(row.session_date), String(row.slot_start), effective);
  const status = row.status as AppointmentStatus;
  const ahead = row.ahead === null || row.ahead === undefined ? null : Number(row.ahead);
  const callingNumber = row.calling_number === null || row.calling_number === undefined ? null : Number(row.calling_number);
  const room = roomLabel(String(row.department_name), (row.room as string | null) ?? null, (row.location as string | null) ?? null);
  const open = status === 'booked' && now >= window.opensAt && now <= window.closesAt;
  return {
    appointmentId: Number(row.id),
    status,
    queueNumber: Number(row.queue_number),
    ahead,
    callingNumber,
    room,
    message: statusMessage({ status, ahead, callingNumber, room, open, opensAt: window.opensAt, closesAt: window.closesAt, now, passedCount: Number(row.passed_count), passLimit: effective.passLimit }),
    checkIn: { opensAt: window.opensAt.toISOString(), closesAt: window.closesAt.toISOString(), open },
  };
}

function statusMessage(s: {
  status: AppointmentStatus;
  ahead: number | null;
  callingNumber: number | null;
  room: string;
  open: boolean;
  opensAt: Date;
  closesAt: Date;
  now: Date;
  passedCount: number;
  passLimit: number;
}): string {
  const calling = s.callingNumber === null ? '' : `，正在叫 ${s.callingNumber} 号`;
  switch (s.status) {
    case 'booked':
      if (s.open) return '已到签到时间，请签到';
      if (s.now < s.opensAt) return `请于 ${shanghaiTime(s.opensAt).slice(0, 5)} 后签到`;
      return '已过签到时间，请到分诊台咨询';
    case 'checked_in':
      return s.ahead === 0 ? `已签到，下一位就是您${calling}` : `已签到，前面还有 ${s.ahead} 人${calling}`;
    case 'called':
      return `请到 ${s.room} 就诊`;
    case 'in_visit':
      return '就诊中';
    case 'passed':
      return s.passedCount > s.passLimit ? '您已多次过号，不再叫号，请到分诊台咨询' : '您已过号，请重新签到，将在几位患者之后为您叫号';
    case 'completed':
      return '就诊已完成';
    case 'no_show':
      return '未按时就诊（已记爽约）';
    case 'pending_payment':
      return '待支付';
    case 'cancelled':
      return '预约已取消';
    case 'expired':
      return '预约已失效';
  }
}
