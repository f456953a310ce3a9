/**
 * A patient's own appointments. Reads never lock; before answering they expire the caller's
 * overdue payment holds (expire.ts), so a hold that ran out between job runs already shows as
 * expired and its place is back on sale.
 *
 *   upcoming   pending payment, booked or checked in, on a Shanghai date from today on
 *   past       completed or no-show, or any still-active one whose date has gone by
 *   cancelled  cancelled (by the patient, a suspension or an admin) or expired
 */
import type { Principal } from '../context.js';
import type { AppDeps } from '../deps.js';
import { shanghaiDate } from '../time/shanghai.js';
import { findOwnAppointment, toAppointmentView, viewQuery, type AppointmentView } from './appointment-view.js';
import { expireOverdueHolds } from './expire.js';

export type AppointmentScope = 'upcoming' | 'past' | 'cancelled';

export interface AppointmentPage {
  items: AppointmentView[];
  page: number;
  pageSize: number;
}

export async function listMyAppointments(
  deps: AppDeps,
  principal: Principal,
  scope: AppointmentScope,
  page: number,
  pageSize: number,
): Promise<AppointmentPage> {
  const now = deps.clock.now();
  await expireOverdueHolds(deps.db, now, { accountId: principal.userId });
  const today = shanghaiDate(now);
  let query = viewQuery(deps.db).where('a.account_id', '=', principal.userId);
  if (scope === 'upcoming') {
    query = query
      .where('a.status', 'in', ['pending_payment', 'booked', 'checked_in', 'called', 'in_visit', 'passed'])
      .where('a.session_date', '>=', today)
      .orderBy('a.session_date')
      .orderBy('a.slot_start')
      .orderBy('a.id');
  } else if (scope === 'past') {
    query = query
      .where((eb) =>
        eb.or([
          eb('a.status', 'in', ['completed', 'no_show']),
          eb.and([eb('a.status', 'in', ['pending_payment', 'booked', 'checked_in', 'called', 'in_visit', 'passed']), eb('a.session_date', '<', today)]),
        ]),
      )
      .orderBy('a.session_date', 'desc')
      .orderBy('a.slot_start', 'desc')
      .orderBy('a.id', 'desc');
  } else {
    query = query.where('a.status', 'in', ['cancelled', 'expired']).orderBy('a.updated_at', 'desc').orderBy('a.id', 'desc');
  }
  const rows = await query.limit(pageSize).offset((page - 1) * pageSize).execute();
  return { items: rows.map(toAppointmentView), page, pageSize };
}

export async function getMyAppointment(deps: AppDeps, principal: Principal, appointmentId: number): Promise<AppointmentView | undefined> {
  await expireOverdueHolds(deps.db, deps.clock.now(), { accountId: principal.userId });
  return findOwnAppointment(deps.db, principal.userId, appointmentId);
}
