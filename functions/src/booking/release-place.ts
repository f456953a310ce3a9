/**
 * The inverse of booking: an appointment leaves an active status and its place goes back to
 * the slot, in one transaction — the way cancellation and hold expiry return capacity.
 *
 * Lock order is the booking path's (written out at the top of book.ts): the slot row first,
 * then the appointment (then, in the caller, its payment). Booking locks the slot and then
 * inserts into appointment's unique indexes; taking them in the same order here means a cancel
 * and a booking on one slot queue behind each other instead of deadlocking.
 * `remaining < capacity` keeps the CHECK constraint from firing when the appointment turns out
 * to have left its active status already (a lost race); either UPDATE matching nothing rolls
 * the whole transaction back.
 */
import type { Updateable } from 'kysely';
import type { Trx } from '../db/transaction.js';
import type { Appointment } from '../db/schema.js';
import type { AppointmentStatus } from './appointment-view.js';

/** The appointment was no longer in a status the transition starts from. */
export class TransitionLost extends Error {
  constructor() {
    super('appointment status changed concurrently');
  }
}

export interface ReleaseSpec {
  appointmentId: number;
  slotId: number;
  from: readonly AppointmentStatus[];
  set: Updateable<Appointment>;
  /** For expiry: only when the hold has run out by this instant. */
  holdExpiredBy?: Date;
  now: Date;
}

export async function releasePlace(trx: Trx, spec: ReleaseSpec): Promise<void> {
  const slot = await trx
    .updateTable('slot')
    .set((eb) => ({ remaining: eb('remaining', '+', 1), updated_at: spec.now }))
    .where('id', '=', spec.slotId)
    .whereRef('remaining', '<', 'capacity')
    .executeTakeFirst();
  if (Number(slot.numUpdatedRows) !== 1) throw new TransitionLost();

  let update = trx
    .updateTable('appointment')
    .set({ ...spec.set, updated_at: spec.now })
    .where('id', '=', spec.appointmentId)
    .where('status', 'in', [...spec.from]);
  if (spec.holdExpiredBy) update = update.where('hold_expires_at', '<=', spec.holdExpiredBy);
  const moved = await update.executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) throw new TransitionLost();
}
