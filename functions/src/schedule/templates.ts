/** A doctor's weekly clinic pattern (出诊模板), from which the generator makes sessions. */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { findDoctor } from './sessions.js';
import { periodOf, planSlots, type Period } from './slot-plan.js';

export interface TemplateInput {
  weekday: number;
  startTime: string;
  endTime: string;
  slotMinutes: number;
  capacityPerSlot: number;
  feeFen: number;
  active: boolean;
}

export interface TemplateView extends TemplateInput {
  id: number;
  doctorId: number;
  period: Period;
}

function check(input: TemplateInput): Period {
  if (!planSlots(input.startTime, input.endTime, input.slotMinutes, input.capacityPerSlot)) throw new AppError('SESSION_TIMES_INVALID');
  return periodOf(input.startTime);
}

export async function listTemplates(deps: AppDeps, doctorId: number): Promise<TemplateView[]> {
  const rows = await deps.db.selectFrom('schedule_template').selectAll().where('doctor_id', '=', doctorId).orderBy('weekday').orderBy('start_time').execute();
  return rows.map((r) => ({
    id: r.id,
    doctorId: r.doctor_id,
    weekday: r.weekday,
    period: r.period,
    startTime: r.start_time,
    endTime: r.end_time,
    slotMinutes: r.slot_minutes,
    capacityPerSlot: r.capacity_per_slot,
    feeFen: r.fee_fen,
    active: r.active === 1,
  }));
}

/** A new template of an existing doctor (DOCTOR_NOT_FOUND otherwise): the admin's path. */
export async function createTemplate(deps: AppDeps, actor: Principal, doctorId: number, input: TemplateInput, meta: RequestMeta): Promise<TemplateView[]> {
  await findDoctor(deps.db, doctorId);
  return saveTemplate(deps, actor, doctorId, undefined, input, meta);
}

/** Creates (`templateId` undefined) or updates a template of the doctor; one per doctor, weekday and period. */
export async function saveTemplate(
  deps: AppDeps,
  actor: Principal,
  doctorId: number,
  templateId: number | undefined,
  input: TemplateInput,
  meta: RequestMeta,
): Promise<TemplateView[]> {
  const period = check(input);
  const now = deps.clock.now();
  const values = {
    weekday: input.weekday,
    period,
    start_time: input.startTime,
    end_time: input.endTime,
    slot_minutes: input.slotMinutes,
    capacity_per_slot: input.capacityPerSlot,
    fee_fen: input.feeFen,
    active: input.active ? 1 : 0,
    updated_at: now,
  };
  try {
    await inTransaction(deps.db, async (trx) => {
      let id = templateId;
      if (id === undefined) {
        const inserted = await trx.insertInto('schedule_template').values({ ...values, doctor_id: doctorId, created_at: now }).executeTakeFirstOrThrow();
        id = Number(inserted.insertId);
      } else {
        const updated = await trx.updateTable('schedule_template').set(values).where('id', '=', id).where('doctor_id', '=', doctorId).executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) {
          const exists = await trx.selectFrom('schedule_template').select('id').where('id', '=', id).where('doctor_id', '=', doctorId).executeTakeFirst();
          if (!exists) throw new AppError('TEMPLATE_NOT_FOUND');
        }
      }
      await recordAudit(trx, { actor, action: templateId === undefined ? 'template.create' : 'template.update', target: { type: 'schedule_template', id }, meta, summary: { doctorId, ...input } }, now);
    });
  } catch (error) {
    if (isDuplicateKey(error, 'uq_template_doctor_period')) throw new AppError('SESSION_EXISTS', '该医生在该星期该时段已有出诊模板');
    throw error;
  }
  return listTemplates(deps, doctorId);
}

export async function deleteTemplate(deps: AppDeps, actor: Principal, doctorId: number, templateId: number, meta: RequestMeta): Promise<TemplateView[]> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    const deleted = await trx.deleteFrom('schedule_template').where('id', '=', templateId).where('doctor_id', '=', doctorId).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw new AppError('TEMPLATE_NOT_FOUND');
    await recordAudit(trx, { actor, action: 'template.delete', target: { type: 'schedule_template', id: templateId }, meta, summary: { doctorId } }, now);
  });
  return listTemplates(deps, doctorId);
}
