/**
 * The schedule generator: turns doctors' weekly templates into clinic sessions and slots for
 * the coming weeks. Runs daily as a scheduled function (and `npm run job -- generate-sessions`).
 *
 * - Horizon: from today (Shanghai) to `daysAhead + 7` days ahead, so a week of sessions is
 *   visible — with its 放号时间 — before it is released.
 * - Idempotent: the unique key (doctor, date, period) means a second run creates nothing.
 * - Sessions not yet released and generated from a template follow later template edits:
 *   they are rebuilt (or removed when the template is gone or inactive). Nothing can be booked
 *   before release, and the session row is locked while rebuilding, so no booking is touched.
 *   Released sessions, sessions created by hand, and sessions edited directly (a fee change,
 *   a capacity change or 加号 detaches a session from its template: sessions.ts) are never
 *   changed by the generator.
 * - Department and doctor: nothing is created for an inactive doctor, department or 大科; the
 *   insert re-checks the department under its row lock (sessions.ts, insertSession), so a
 *   concurrent deactivation cannot slip between the read here and the insert.
 * - An admin may run it for a chosen range of Shanghai dates (and one department or doctor):
 *   the answer lists each session made and each one not made with the reason, so the console
 *   shows what the run did. The range starts today or later and spans at most
 *   MAX_RANGE_DAYS days: two calendar months, enough for any whole month picked in the
 *   console and for the default booking window, while keeping one request's work (one short
 *   transaction per session) and its answer bounded.
 * - Audit: each session created, rebuilt or removed gets one `session.generate` entry written
 *   in the same short transaction as that write (issue 12: every admin write is audited with
 *   it), so a run cut off midway leaves no session without its entry; running it again creates
 *   only what is still missing. Each session is its own transaction so a month's run never
 *   holds locks for long. Beside those, one `schedule.generate` entry per run with its range,
 *   filter and counts — what the admin reads — written after the run, so it is missing for a run
 *   that died. Entries are as the admin who ran it (with the request's id), or as `system` for
 *   the nightly job, whose run-level entry is written only when it changed something.
 */
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { getEffectiveRules, releaseAt, type EffectiveRules } from '../rules/booking-rules.js';
import { addDays, daysBetween, isoWeekday, shanghaiDate, type LocalDate } from '../time/shanghai.js';
import { insertSession } from './sessions.js';
import { planSlots, type Period } from './slot-plan.js';

export const EXTRA_VISIBLE_DAYS = 7;
/** The longest range an admin may generate at once, in days (both ends included). */
export const MAX_RANGE_DAYS = 62;
/** At most this many sessions made and this many skipped are listed in one answer; the counts are always whole. */
export const LISTED_LIMIT = 1000;

/** Why the generator did not make a session a template describes. */
export type SkipReason =
  | 'exists' // the template's session is already there
  | 'edited' // a session created by hand, or edited and detached from its template, holds the doctor's date and period
  | 'suspended' // the session there is 停诊
  | 'handed_over' // the doctor handed that session to another doctor (替诊)
  | 'template_inactive'
  | 'doctor_inactive'
  | 'department_inactive'; // the department or its 大科

export interface GenerationSummary {
  created: number;
  rebuilt: number;
  removed: number;
  skipped: number;
  from: LocalDate;
  to: LocalDate;
}

interface Described {
  doctorId: number;
  doctorName: string;
  departmentId: number;
  departmentName: string;
  date: LocalDate;
  period: Period;
  startTime: string;
  endTime: string;
}

export interface MadeSession extends Described {
  sessionId: number;
  /** Places over all its slots. */
  capacity: number;
  outcome: 'created' | 'rebuilt';
}

export interface SkippedSession extends Described {
  reason: SkipReason;
  /** The session already there, if any. */
  sessionId: number | null;
}

export interface GenerationReport extends GenerationSummary {
  sessions: MadeSession[];
  skippedSessions: SkippedSession[];
}

/** The detail of a session's `session.generate` entry; a rebuild names the session it replaced. */
type SessionAuditSummary = {
  outcome: 'created' | 'rebuilt' | 'removed';
  doctorId: number;
  date: LocalDate;
  period: Period;
  templateId: number;
  replacedSessionId?: number;
};

export interface GenerationRange {
  from?: LocalDate;
  to?: LocalDate;
  /** The department or 大科 whose doctors' templates to run. */
  departmentId?: number;
  doctorId?: number;
}

/** The daily job (and `npm start`): every template over each department's booking window, counts only. */
export async function generateSessions(deps: AppDeps): Promise<GenerationSummary> {
  const { sessions: _made, skippedSessions: _skipped, ...summary } = await runGenerator(deps, {}, 'system');
  return summary;
}

/**
 * An admin's run for a range of Shanghai dates (or, without one, the daily job's window),
 * optionally for one department or doctor. Refused with GENERATE_RANGE_INVALID when only one
 * end is given or `from` is after `to`, GENERATE_RANGE_IN_PAST when `from` is before today in
 * Shanghai, GENERATE_RANGE_TOO_LONG beyond MAX_RANGE_DAYS. Answers what it made and what it
 * did not make, and why; running it again over the same range makes nothing.
 */
export async function generateSessionsFor(deps: AppDeps, actor: Principal, range: GenerationRange, meta: RequestMeta): Promise<GenerationReport> {
  const today = shanghaiDate(deps.clock.now());
  if ((range.from === undefined) !== (range.to === undefined)) throw new AppError('GENERATE_RANGE_INVALID', '请同时选择开始日期和结束日期');
  if (range.from !== undefined && range.to !== undefined) {
    if (range.from > range.to) throw new AppError('GENERATE_RANGE_INVALID', '开始日期不能晚于结束日期');
    if (range.from < today) throw new AppError('GENERATE_RANGE_IN_PAST', `开始日期不能早于今天（${today}）`);
    if (daysBetween(range.from, range.to) + 1 > MAX_RANGE_DAYS) throw new AppError('GENERATE_RANGE_TOO_LONG', `一次最多生成 ${MAX_RANGE_DAYS} 天的排班`);
  }
  if (range.departmentId !== undefined) {
    const department = await deps.db.selectFrom('department').select('id').where('id', '=', range.departmentId).executeTakeFirst();
    if (!department) throw new AppError('DEPARTMENT_NOT_FOUND');
  }
  if (range.doctorId !== undefined) {
    const doctor = await deps.db.selectFrom('doctor').select('id').where('id', '=', range.doctorId).executeTakeFirst();
    if (!doctor) throw new AppError('DOCTOR_NOT_FOUND');
  }
  return runGenerator(deps, range, actor, meta);
}

const keyOf = (doctorId: number, date: LocalDate, period: string) => `${doctorId}:${date}:${period}`;
const byDateThenDoctor = (a: Described, b: Described) =>
  a.date.localeCompare(b.date) || a.startTime.localeCompare(b.startTime) || a.departmentId - b.departmentId || a.doctorId - b.doctorId;

async function runGenerator(deps: AppDeps, range: GenerationRange, actor: Principal | 'system', meta?: RequestMeta): Promise<GenerationReport> {
  const now = deps.clock.now();
  const today = shanghaiDate(now);
  /** The entry of one session's write, in that write's transaction. */
  const auditSession = (trx: Trx, sessionId: number, summary: SessionAuditSummary) =>
    recordAudit(trx, { actor, action: 'session.generate', target: { type: 'clinic_session', id: sessionId }, meta, summary }, now);
  let templateQuery = deps.db
    .selectFrom('schedule_template as t')
    .innerJoin('doctor as d', 'd.id', 't.doctor_id')
    .innerJoin('department as dep', 'dep.id', 'd.department_id')
    .leftJoin('department as parent', 'parent.id', 'dep.parent_id')
    .select([
      't.id',
      't.doctor_id',
      'd.department_id',
      't.weekday',
      't.period',
      't.start_time',
      't.end_time',
      't.slot_minutes',
      't.capacity_per_slot',
      't.fee_fen',
      't.active',
      'd.active as doctorActive',
      'd.name as doctorName',
      'dep.name as departmentName',
      'dep.active as departmentActive',
      'parent.active as parentActive',
    ]);
  if (range.doctorId !== undefined) templateQuery = templateQuery.where('t.doctor_id', '=', range.doctorId);
  if (range.departmentId !== undefined) {
    const departmentId = range.departmentId;
    templateQuery = templateQuery.where((eb) => eb.or([eb('d.department_id', '=', departmentId), eb('dep.parent_id', '=', departmentId)]));
  }
  const templates = await templateQuery.orderBy('t.id').execute();
  const templateById = new Map(templates.map((t) => [t.id, t]));
  const rulesByDepartment = new Map<number, EffectiveRules>();
  const rulesFor = async (departmentId: number) => {
    if (!rulesByDepartment.has(departmentId)) rulesByDepartment.set(departmentId, await getEffectiveRules(deps.db, departmentId));
    return rulesByDepartment.get(departmentId)!;
  };
  const describe = (t: (typeof templates)[number], date: LocalDate): Described => ({
    doctorId: t.doctor_id,
    doctorName: t.doctorName,
    departmentId: t.department_id,
    departmentName: t.departmentName,
    date,
    period: t.period,
    startTime: t.start_time,
    endTime: t.end_time,
  });
  const capacityOf = (t: (typeof templates)[number]) =>
    (planSlots(t.start_time, t.end_time, t.slot_minutes, t.capacity_per_slot) ?? []).reduce((sum, slot) => sum + slot.capacity, 0);
  const sessionShape = async (t: (typeof templates)[number], date: LocalDate) => ({
    doctorId: t.doctor_id,
    departmentId: t.department_id,
    templateId: t.id,
    date,
    startTime: t.start_time,
    endTime: t.end_time,
    slotMinutes: t.slot_minutes,
    capacityPerSlot: t.capacity_per_slot,
    feeFen: t.fee_fen,
    releaseAt: releaseAt(date, await rulesFor(t.department_id)),
  });

  const report: GenerationReport = { created: 0, rebuilt: 0, removed: 0, skipped: 0, from: range.from ?? today, to: range.to ?? today, sessions: [], skippedSessions: [] };
  const made = (entry: MadeSession) => {
    if (report.sessions.length < LISTED_LIMIT) report.sessions.push(entry);
  };
  const skip = (entry: SkippedSession) => {
    report.skipped += 1;
    if (report.skippedSessions.length < LISTED_LIMIT) report.skippedSessions.push(entry);
  };
  const rebuiltKeys = new Set<string>();

  // 1. Unreleased template sessions (within the range, for a ranged run): follow the template, or go away with it.
  let upcomingQuery = deps.db
    .selectFrom('clinic_session')
    .select(['id', 'doctor_id', 'template_id', 'session_date', 'start_time', 'end_time', 'fee_fen', 'period'])
    .where('template_id', 'is not', null)
    .where('release_at', '>', now)
    .where('status', '=', 'open');
  if (range.from !== undefined && range.to !== undefined) upcomingQuery = upcomingQuery.where('session_date', '>=', range.from).where('session_date', '<=', range.to);
  if (range.doctorId !== undefined || range.departmentId !== undefined) upcomingQuery = upcomingQuery.where('template_id', 'in', [0, ...templateById.keys()]);
  for (const session of await upcomingQuery.execute()) {
    const template = templateById.get(session.template_id!);
    const live =
      template &&
      template.active === 1 &&
      template.doctorActive === 1 &&
      template.departmentActive === 1 &&
      template.parentActive !== 0 &&
      isoWeekday(session.session_date) === template.weekday;
    if (live && (await sessionMatchesTemplate(deps, session.id, template))) continue;
    const outcome = await inTransaction(deps.db, async (trx) => {
      // Slots, then the session: the lock order of every path (booking/book.ts, top).
      await trx.selectFrom('slot').select('id').where('session_id', '=', session.id).orderBy('id').forUpdate().execute();
      // Still unreleased and still following its template (not edited directly meanwhile).
      const locked = await trx
        .selectFrom('clinic_session')
        .select('id')
        .where('id', '=', session.id)
        .where('release_at', '>', now)
        .where('template_id', '=', session.template_id)
        .forUpdate()
        .executeTakeFirst();
      const booked = await trx.selectFrom('appointment').select('id').where('session_id', '=', session.id).limit(1).executeTakeFirst();
      if (!locked || booked) return { kind: 'kept' as const };
      await trx.deleteFrom('slot').where('session_id', '=', session.id).execute();
      await trx.deleteFrom('clinic_session').where('id', '=', session.id).execute();
      const was = { doctorId: session.doctor_id, date: session.session_date, period: session.period, templateId: session.template_id! };
      if (!live) {
        await auditSession(trx, session.id, { outcome: 'removed', ...was });
        return { kind: 'removed' as const };
      }
      // Then the department, shared (sessions.ts, insertSession): deactivated meanwhile, the whole rebuild rolls back.
      const id = await insertSession(trx, await sessionShape(template, session.session_date), now);
      await auditSession(trx, id, { outcome: 'rebuilt', ...was, period: template.period, replacedSessionId: session.id });
      return { kind: 'rebuilt' as const, id };
    }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'DEPARTMENT_INACTIVE') return { kind: 'kept' as const };
      throw error;
    });
    if (outcome.kind === 'removed') report.removed += 1;
    if (outcome.kind === 'rebuilt' && template) {
      report.rebuilt += 1;
      rebuiltKeys.add(keyOf(template.doctor_id, session.session_date, template.period));
      made({ ...describe(template, session.session_date), sessionId: outcome.id, capacity: capacityOf(template), outcome: 'rebuilt' });
    }
  }

  // 2. Create what is missing over the range (by default, each department's booking window plus
  // a week) — except a session its doctor handed to another (替诊, substitution.ts): that doctor
  // is not coming on that date.
  const horizons = new Map<number, LocalDate>();
  for (const t of templates) {
    if (range.to !== undefined) horizons.set(t.department_id, range.to);
    else if (!horizons.has(t.department_id)) horizons.set(t.department_id, addDays(today, (await rulesFor(t.department_id)).daysAhead + EXTRA_VISIBLE_DAYS));
  }
  const from = range.from ?? today;
  const until = [...horizons.values()].reduce((max, h) => (h > max ? h : max), range.to ?? today);
  report.to = until;
  const existing = new Map(
    (
      await deps.db
        .selectFrom('clinic_session')
        .select(['id', 'doctor_id', 'session_date', 'period', 'template_id', 'status'])
        .where('session_date', '>=', from)
        .where('session_date', '<=', until)
        .where('doctor_id', 'in', [0, ...new Set(templates.map((t) => t.doctor_id))])
        .execute()
    ).map((s) => [keyOf(s.doctor_id, s.session_date, s.period), s]),
  );
  const handedOver = new Map(
    (
      await deps.db
        .selectFrom('clinic_session')
        .select(['id', 'substituted_from_doctor_id', 'session_date', 'period'])
        .where('substituted_from_doctor_id', 'is not', null)
        .where('session_date', '>=', from)
        .where('session_date', '<=', until)
        .execute()
    ).map((s) => [keyOf(s.substituted_from_doctor_id!, s.session_date, s.period), s.id]),
  );
  for (const template of templates) {
    const horizon = horizons.get(template.department_id)!;
    for (let date = from; date <= horizon; date = addDays(date, 1)) {
      if (isoWeekday(date) !== template.weekday) continue;
      const key = keyOf(template.doctor_id, date, template.period);
      if (rebuiltKeys.has(key)) continue;
      const there = existing.get(key);
      const reason: SkipReason | undefined =
        template.active !== 1
          ? 'template_inactive'
          : template.doctorActive !== 1
            ? 'doctor_inactive'
            : template.departmentActive !== 1 || template.parentActive === 0
              ? 'department_inactive'
              : there
                ? there.status === 'suspended'
                  ? 'suspended'
                  : there.template_id === template.id
                    ? 'exists'
                    : 'edited'
                : handedOver.has(key)
                  ? 'handed_over'
                  : undefined;
      if (reason) {
        skip({ ...describe(template, date), reason, sessionId: there?.id ?? handedOver.get(key) ?? null });
        continue;
      }
      const shape = await sessionShape(template, date);
      try {
        const id = await inTransaction(deps.db, async (trx) => {
          const sessionId = await insertSession(trx, shape, now);
          await auditSession(trx, sessionId, { outcome: 'created', doctorId: template.doctor_id, date, period: template.period, templateId: template.id });
          return sessionId;
        });
        report.created += 1;
        made({ ...describe(template, date), sessionId: id, capacity: capacityOf(template), outcome: 'created' });
      } catch (error) {
        // Made by a concurrent run, or the department deactivated since the templates were read.
        if (error instanceof AppError && error.code === 'SESSION_EXISTS') skip({ ...describe(template, date), reason: 'exists', sessionId: null });
        else if (error instanceof AppError && error.code === 'DEPARTMENT_INACTIVE') skip({ ...describe(template, date), reason: 'department_inactive', sessionId: null });
        else throw error;
      }
    }
  }
  report.sessions.sort(byDateThenDoctor);
  report.skippedSessions.sort(byDateThenDoctor);

  // The run's summary for the admin; each session's own entry was written with it above.
  const counts = { created: report.created, rebuilt: report.rebuilt, removed: report.removed, skipped: report.skipped };
  if (actor !== 'system') {
    const filter = { departmentId: range.departmentId ?? null, doctorId: range.doctorId ?? null };
    await recordAudit(deps.db, { actor, action: 'schedule.generate', meta, summary: { from: report.from, to: report.to, ...filter, ...counts } }, now);
  } else if (report.created + report.rebuilt + report.removed > 0) {
    await recordAudit(deps.db, { actor: 'system', action: 'schedule.generate', summary: { from: report.from, to: report.to, ...counts } }, now);
  }
  return report;
}

/** Whether a generated session still has exactly the template's times, fee and slots. */
async function sessionMatchesTemplate(
  deps: AppDeps,
  sessionId: number,
  template: { start_time: string; end_time: string; fee_fen: number; slot_minutes: number; capacity_per_slot: number },
): Promise<boolean> {
  const row = await deps.db
    .selectFrom('clinic_session as s')
    .innerJoin('slot', 'slot.session_id', 's.id')
    .select([
      's.start_time',
      's.fee_fen',
      sql<number>`MIN(TIME_TO_SEC(slot.end_time) - TIME_TO_SEC(slot.start_time))`.as('minSeconds'),
      sql<number>`MAX(TIME_TO_SEC(slot.end_time) - TIME_TO_SEC(slot.start_time))`.as('maxSeconds'),
      sql<number>`MIN(slot.seq_count)`.as('minCount'),
      sql<number>`MAX(slot.seq_count)`.as('maxCount'),
      sql<string>`MAX(slot.end_time)`.as('lastEnd'),
    ])
    .where('s.id', '=', sessionId)
    .groupBy(['s.start_time', 's.fee_fen'])
    .executeTakeFirst();
  if (!row) return false;
  const slotSeconds = template.slot_minutes * 60;
  const expectedSlots = Math.floor((toSeconds(template.end_time) - toSeconds(template.start_time)) / slotSeconds);
  return (
    row.start_time === template.start_time &&
    row.fee_fen === template.fee_fen &&
    Number(row.minSeconds) === slotSeconds &&
    Number(row.maxSeconds) === slotSeconds &&
    Number(row.minCount) === template.capacity_per_slot &&
    Number(row.maxCount) === template.capacity_per_slot &&
    toSeconds(row.lastEnd) === toSeconds(template.start_time) + expectedSlots * slotSeconds
  );
}

function toSeconds(time: string): number {
  const [h = '0', m = '0', s = '0'] = time.split(':');
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}
