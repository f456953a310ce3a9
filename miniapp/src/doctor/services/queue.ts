/**
 * The doctor's queue (`/doctor/sessions/{id}/queue` and the visit steps): every step answers the
 * queue after it, so the screen redraws from the server's word, never from a guess.
 */
import { call } from '../../services/request';
import type { components } from '../../services/api-types.gen';

export type SessionQueue = components['schemas']['SessionQueue'];
export type QueueEntry = components['schemas']['QueueEntry'];
export type VisitPatient = components['schemas']['VisitPatientDetail'];

export function fetchQueue(sessionId: number): Promise<SessionQueue> {
  return call<SessionQueue>('GET', `/doctor/sessions/${sessionId}/queue`);
}

/** 叫号: the next waiting patient (refused while one is called or in the visit). */
export function callNext(sessionId: number): Promise<SessionQueue> {
  return call<SessionQueue>('POST', `/doctor/sessions/${sessionId}/call-next`);
}

export type VisitStep = 'check-in' | 'recall' | 'pass' | 'start' | 'complete';

export function visitStep(appointmentId: number, step: VisitStep): Promise<SessionQueue> {
  return call<SessionQueue>('POST', `/doctor/appointments/${appointmentId}/${step}`);
}

/** 就诊人 and health record: only while checked in, called or in the visit; every read is audited. */
export function fetchVisitPatient(appointmentId: number): Promise<VisitPatient> {
  return call<VisitPatient>('GET', `/doctor/appointments/${appointmentId}/patient`);
}

export type QueueCounts = components['schemas']['QueueCounts'];

/** 今日: each session's counts on `date` (sessions nobody booked are absent). */
export async function fetchDayCounts(date: string): Promise<Map<number, QueueCounts>> {
  const { items } = await call<{ items: Array<{ sessionId: number; counts: QueueCounts }> }>('GET', '/doctor/queue-counts', { query: { date } });
  return new Map(items.map((i) => [i.sessionId, i.counts]));
}
