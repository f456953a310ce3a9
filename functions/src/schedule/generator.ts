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
 */
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { getEffectiveRules, releaseAt, type EffectiveRules } from '../rules/booking-rules.js';
import { addDays, isoWeekday, shanghaiDate } from '../time/shanghai.js';
import { insertSession } from './sessions.js';

export const EXTRA_VISIBLE_DAYS = 7;

export interface GenerationSummary {
  created: number;
  rebuilt: number;
  removed: number;
  from: string;
  to: string;
}

export async function generateSessions(deps: AppDeps): Promise<GenerationSummary> {
  const now = deps.clock.now();
  const today = shanghaiDate(now);
  const templates = await deps.db
    .selectFrom('schedule_template as t')
    .innerJoin('doctor as d', 'd.id', 't.doctor_id')
    .select(['t.id', 't.doctor_id', 'd.department_id', 't.weekday', 't.period', 't.start_time', 't.end_time', 't.slot_minutes', 't.capacity_per_slot', 't.fee_fen', 't.active', 'd.active as doctorActive'])
    .execute();
  const rulesByDepartment = new Map<number, EffectiveRules>();
  const rulesFor = async (departmentId: number) => {
    if (!rulesByDepartment.has(departmentId)) rulesByDepartment.set(departmentId, await getEffectiveRules(deps.db, departmentId));
    return rulesByDepartment.get(departmentId)!;
  };

  let maxHorizon = today;
  const summary: GenerationSummary = { created: 0, rebuilt: 0, removed: 0, from: today, to: today };

  // 1. Unreleased template sessions: follow the template, or go away with it.
  const upcoming = await deps.db
    .selectFrom('clinic_session')
    .select(['id', 'template_id', 'session_date', 'start_time', 'end_time', 'fee_fen', 'period'])
    .where('template_id', 'is not', null)
    .where('release_at', '>', now)
    .where('status', '=', 'open')
    .execute();
  const templateById = new Map(templates.map((t) => [t.id, t]));
  for (const session of upcoming) {
    const template = templateById.get(session.template_id!);
    const live = template && template.active === 1 && template.doctorActive === 1 && isoWeekday(session.session_date) === template.weekday;
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
      if (!locked || booked) return 'kept' as const;
      await trx.deleteFrom('slot').where('session_id', '=', session.id).execute();
      await trx.deleteFrom('clinic_session').where('id', '=', session.id).execute();
      if (!live) return 'removed' as const;
      const rules = await rulesFor(template.department_id);
      await insertSession(
        trx,
        {
          doctorId: template.doctor_id,
          departmentId: template.department_id,
          templateId: template.id,
          date: session.session_date,
          startTime: template.start_time,
          endTime: template.end_time,
          slotMinutes: template.slot_minutes,
          capacityPerSlot: template.capacity_per_slot,
          feeFen: template.fee_fen,
          releaseAt: releaseAt(session.session_date, rules),
        },
        now,
      );
      return 'rebuilt' as const;
    });
    if (outcome === 'rebuilt') summary.rebuilt += 1;
    if (outcome === 'removed') summary.removed += 1;
  }

  // 2. Create what is missing within each department's horizon — except a session its doctor
  // handed to another (替诊, substitution.ts): that doctor is not coming on that date.
  const handedOver = new Set(
    (
      await deps.db
        .selectFrom('clinic_session')
        .select(['substituted_from_doctor_id', 'session_date', 'period'])
        .where('substituted_from_doctor_id', 'is not', null)
        .where('session_date', '>=', today)
        .execute()
    ).map((s) => `${s.substituted_from_doctor_id}:${s.session_date}:${s.period}`),
  );
  for (const template of templates) {
    if (template.active !== 1 || template.doctorActive !== 1) continue;
    const rules = await rulesFor(template.department_id);
    const horizon = addDays(today, rules.daysAhead + EXTRA_VISIBLE_DAYS);
    if (horizon > maxHorizon) maxHorizon = horizon;
    for (let date = today; date <= horizon; date = addDays(date, 1)) {
      if (isoWeekday(date) !== template.weekday) continue;
      if (handedOver.has(`${template.doctor_id}:${date}:${template.period}`)) continue;
      const release = releaseAt(date, rules);
      try {
        await inTransaction(deps.db, (trx) =>
          insertSession(
            trx,
            {
              doctorId: template.doctor_id,
              departmentId: template.department_id,
              templateId: template.id,
              date,
              startTime: template.start_time,
              endTime: template.end_time,
              slotMinutes: template.slot_minutes,
              capacityPerSlot: template.capacity_per_slot,
              feeFen: template.fee_fen,
              releaseAt: release,
            },
            now,
          ),
        );
        summary.created += 1;
      } catch (error) {
        if (error instanceof AppError && error.code === 'SESSION_EXISTS') continue;
        throw error;
      }
    }
  }
  summary.to = maxHorizon;
  if (summary.created + summary.rebuilt + summary.removed > 0) {
    await recordAudit(deps.db, { actor: 'system', action: 'schedule.generate', summary: { ...summary } }, now);
  }
  return summary;
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
