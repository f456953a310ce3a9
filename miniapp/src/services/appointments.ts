import { call } from './request';
import type { Appointment, AppointmentScope } from './types';

/**
 * The Idempotency-Key of each booking choice (a slot and a 就诊人), kept for as long as the
 * choice stands: a double tap, or a retry after a lost answer or a 503, sends the same request
 * with the same key, and the server answers with the hold it already made (or books it now if
 * the first try never arrived) instead of ALREADY_BOOKED. A refusal (SLOT_FULL) is not stored
 * under the key, so retrying the same choice later books if a place came back. Another slot or
 * 就诊人 is another booking, with a new key (the server refuses one key for two requests).
 */
export function idempotencyKeys(): (slotId: number, profileId: number) => string {
  let current: { choice: string; key: string } | null = null;
  return (slotId, profileId) => {
    const choice = `${slotId}/${profileId}`;
    if (current?.choice !== choice) current = { choice, key: newIdempotencyKey() };
    return current.key;
  };
}

function newIdempotencyKey(): string {
  const random = Array.from({ length: 4 }, () => Math.random().toString(36).slice(2, 10)).join('');
  return `${Date.now().toString(36)}-${random}`.slice(0, 64);
}

/** Refusals (SLOT_FULL, ALREADY_BOOKED…) are the caller's to show: it maps each code to advice. */
export function bookAppointment(slotId: number, profileId: number, idempotencyKey: string) {
  return call<Appointment>('POST', '/appointments', { body: { slotId, profileId }, headers: { 'Idempotency-Key': idempotencyKey }, quiet: true });
}

export async function fetchAppointments(scope: AppointmentScope): Promise<Appointment[]> {
  return (await call<{ items: Appointment[] }>('GET', '/appointments', { query: { scope, pageSize: 100 } })).items;
}

export function fetchAppointment(id: number) {
  return call<Appointment>('GET', `/appointments/${id}`);
}

export function payAppointment(id: number) {
  // The pay route takes no body: the simulated payment needs nothing but the appointment.
  return call<Appointment>('POST', `/appointments/${id}/pay`);
}

export function cancelAppointment(id: number) {
  return call<Appointment>('POST', `/appointments/${id}/cancel`, { body: {} });
}

export type QueueStatus = import('./api-types.gen').components['schemas']['QueueStatus'];

/** The live status of the visit: "已签到，前面还有 N 人", the number being called, where to go. One cheap read: poll it. */
export function fetchQueueStatus(id: number) {
  return call<QueueStatus>('GET', `/appointments/${id}/queue`, { quiet: true });
}

/** 签到 inside the window (or again after 过号); refusals (未到签到时间…) are toasted by the client. */
export function checkIn(id: number) {
  return call<QueueStatus>('POST', `/appointments/${id}/check-in`);
}
