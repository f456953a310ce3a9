/**
 * The signed-in doctor's own schedule (`/doctor/…` routes: the server takes the doctor from the
 * login, so nothing here names a doctor).
 */
import { call } from '../../services/request';
import type { components } from '../../services/api-types.gen';

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

export type DoctorProfile = components['schemas']['DoctorProfile'];

/** The signed-in doctor's own record: name, department (and where it sees patients), title, specialty. */
export function fetchMyProfile(): Promise<DoctorProfile> {
  return call<DoctorProfile>('GET', '/doctor/profile');
}

/** 加号: a new slot on the doctor's own session, bookable at once; answers the updated session. */
export function addMySlot(sessionId: number, input: { startTime: string; endTime: string; capacity: number }): Promise<ScheduleSession> {
  return call<ScheduleSession>('POST', `/doctor/sessions/${sessionId}/slots`, { body: input });
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

export type SuspensionRequest = components['schemas']['SuspensionRequest'];

/** 停诊申请: waits for an admin; approval suspends the session and notifies its patients. */
export function requestSuspension(sessionId: number, reason: string): Promise<SuspensionRequest> {
  return call<SuspensionRequest>('POST', `/doctor/sessions/${sessionId}/suspension-requests`, { body: { reason } });
}

/** The doctor's 停诊 requests, newest first, with their state and the admin's decision. */
export async function fetchMyRequests(): Promise<SuspensionRequest[]> {
  return (await call<{ items: SuspensionRequest[] }>('GET', '/doctor/suspension-requests')).items;
}
