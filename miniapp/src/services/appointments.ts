import { call } from './request';
import type { Appointment, AppointmentScope } from './types';

/**
 * A new key per booking attempt (one confirm screen): a double tap or a retry after a lost
 * answer sends the same key, and the server returns the same appointment instead of a second.
 */
export function newIdempotencyKey(): string {
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
