/**
 * A doctor's own schedule (`/doctor/…`): the same operations as the admin's
 * (schedule/sessions.ts, schedule/templates.ts) on the caller's doctor record only. The doctor id always comes from the login,
 * never from the request; someone else's session or slot reads as missing (ids reveal nothing).
 */
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import type { LocalDate } from '../time/shanghai.js';
import { assertFeeEditable, ownSession } from './profile.js';
import { createSession, doctorIdOfUser, listSessions, setSlotCapacity, updateSessionFee, type SessionShape, type SessionView } from '../schedule/sessions.js';
import { deleteTemplate, listTemplates, saveTemplate, type TemplateInput, type TemplateView } from '../schedule/templates.js';

/** The caller's sessions in the range. */
export async function listOwnSessions(db: Db, principal: Principal, range: { from?: LocalDate; to?: LocalDate }): Promise<SessionView[]> {
  return listSessions(db, { ...range, doctorId: await doctorIdOfUser(db, principal.userId) });
}

/** A session of the caller's own (createSession's rules). */
export async function createOwnSession(deps: AppDeps, principal: Principal, shape: Omit<SessionShape, 'doctorId'>, meta: RequestMeta): Promise<SessionView> {
  return createSession(deps, principal, { ...shape, doctorId: await doctorIdOfUser(deps.db, principal.userId) }, meta);
}

/** The fee of the caller's own session, only before its release (assertFeeEditable). */
export async function updateOwnSessionFee(deps: AppDeps, principal: Principal, sessionId: number, feeFen: number, meta: RequestMeta): Promise<SessionView> {
  assertFeeEditable(await ownSession(deps.db, await doctorIdOfUser(deps.db, principal.userId), sessionId), deps.clock.now());
  return updateSessionFee(deps, principal, sessionId, feeFen, meta);
}

/** The capacity of a slot of the caller's own session (setSlotCapacity's rules). */
export async function setOwnSlotCapacity(deps: AppDeps, principal: Principal, slotId: number, capacity: number, meta: RequestMeta): Promise<SessionView> {
  const doctorId = await doctorIdOfUser(deps.db, principal.userId);
  const slot = await deps.db
    .selectFrom('slot')
    .innerJoin('clinic_session as s', 's.id', 'slot.session_id')
    .select('s.doctor_id')
    .where('slot.id', '=', slotId)
    .executeTakeFirst();
  // Someone else's slot reads as missing: ids reveal nothing.
  if (!slot || slot.doctor_id !== doctorId) throw new AppError('SESSION_NOT_FOUND');
  return setSlotCapacity(deps, principal, slotId, capacity, meta);
}

export async function listOwnTemplates(deps: AppDeps, principal: Principal): Promise<TemplateView[]> {
  return listTemplates(deps, await doctorIdOfUser(deps.db, principal.userId));
}

/** Creates (`templateId` undefined) or updates one of the caller's own templates. */
export async function saveOwnTemplate(
  deps: AppDeps,
  principal: Principal,
  templateId: number | undefined,
  input: TemplateInput,
  meta: RequestMeta,
): Promise<TemplateView[]> {
  return saveTemplate(deps, principal, await doctorIdOfUser(deps.db, principal.userId), templateId, input, meta);
}

export async function deleteOwnTemplate(deps: AppDeps, principal: Principal, templateId: number, meta: RequestMeta): Promise<TemplateView[]> {
  return deleteTemplate(deps, principal, await doctorIdOfUser(deps.db, principal.userId), templateId, meta);
}
