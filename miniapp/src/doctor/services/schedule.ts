/**
 * The signed-in doctor's own schedule (`/doctor/…` routes: the server takes the doctor from the
 * login, so nothing here names a doctor).
 */
import { call } from '../../services/request';
import type { components } from '../../services/api-types.gen';
import type { DoctorCard } from '../../services/types';
import { addDays, shanghaiToday } from '../../utils/time';

export type ScheduleSession = components['schemas']['ClinicSession'];
export type ScheduleSlot = ScheduleSession['slots'][number];
export type ScheduleTemplate = components['schemas']['ScheduleTemplate'];

/** Sessions from `from` to `to` (Shanghai dates, both included), by date and start time. */
export async function fetchMySessions(from: string, to: string): Promise<ScheduleSession[]> {
  return (await call<{ items: ScheduleSession[] }>('GET', '/doctor/sessions', { query: { from, to } })).items;
}

/** The slot's new number of places: not below what is booked, not above its queue-number range. */
export function setSlotCapacity(slotId: number, capacity: number): Promise<ScheduleSession> {
  return call<ScheduleSession>('PUT', `/doctor/slots/${slotId}/capacity`, { body: { capacity } });
}

/** The fee of bookings made from now on; appointments already made keep theirs. */
export function setSessionFee(sessionId: number, feeFen: number): Promise<ScheduleSession> {
  return call<ScheduleSession>('PUT', `/doctor/sessions/${sessionId}`, { body: { feeFen } });
}

export async function fetchMyTemplates(): Promise<ScheduleTemplate[]> {
  return (await call<{ items: ScheduleTemplate[] }>('GET', '/doctor/templates')).items;
}

/**
 * The doctor's public card (department, title). There is no `/doctor/profile` route yet, so the
 * doctor id is read from the doctor's own sessions around today; null when there are none.
 */
export async function fetchMyCard(): Promise<DoctorCard | null> {
  const today = shanghaiToday();
  const sessions = await fetchMySessions(addDays(today, -60), addDays(today, 60));
  const doctorId = sessions[0]?.doctorId;
  return doctorId === undefined ? null : call<DoctorCard>('GET', `/doctors/${doctorId}`);
}

export type TemplateInput = Omit<ScheduleTemplate, 'id' | 'doctorId' | 'period'>;

/** Adds (no id) or replaces a weekly template; answers the doctor's templates after the change. */
export async function saveMyTemplate(input: TemplateInput, id?: number): Promise<ScheduleTemplate[]> {
  const path = id === undefined ? '/doctor/templates' : `/doctor/templates/${id}`;
  return (await call<{ items: ScheduleTemplate[] }>(id === undefined ? 'POST' : 'PUT', path, { body: input })).items;
}

export async function deleteMyTemplate(id: number): Promise<ScheduleTemplate[]> {
  return (await call<{ items: ScheduleTemplate[] }>('DELETE', `/doctor/templates/${id}`)).items;
}
