/**
 * An appointment's life (DESIGN §2), in one table: which status it may move to from which, who
 * may move it, whether its place goes back to the slot and whether money moves. Every path that
 * changes an appointment's status takes its `from` statuses from here, and moves it with one
 * conditional UPDATE on the current status (`moveAppointments`), so two racing transitions
 * cannot both win; every path that returns places goes through `releasePlaces`.
 *
 * Both take the caller's transaction: the caller opens it, so two operations can share one
 * (e.g. a cancellation that returns a place and, in the same transaction, offers it to the
 * waitlist: `returnPlaces`, after the slots' UPDATEs and the move — waitlist-offer.ts).
 *
 * Lock order (book.ts, top): slots (in id order) → session → appointments → payments.
 * `releasePlaces` locks the slots by its UPDATEs, so a caller that returns places calls it
 * before `moveAppointments` (`returnPlaces` does both, then the waitlist's offer), unless it
 * has locked the slots already (suspend.ts).
 */
import type { UpdateObject } from 'kysely';
import type { Trx } from '../db/transaction.js';
import { offerReturnedPlaces } from './waitlist-offer.js';
import type { DB } from '../db/schema.js';
import { appointmentStatuses, type AppointmentStatus } from './appointment-view.js';

export type Actor = 'patient' | 'doctor' | 'admin' | 'system';

export interface Transition {
  from: readonly AppointmentStatus[];
  to: AppointmentStatus;
  /** Who may make it. */
  by: readonly Actor[];
  /** Whether the appointment's place goes back to its slot (`releasePlaces`). */
  returnsPlace: boolean;
  /** Money that moves with it: the charge, a refund of what was paid, or none. */
  money: 'charge' | 'refund' | 'none';
  /** Whether the returned place goes to the session's waitlist first (`returnPlaces`, waitlist-offer.ts). */
  offersToWaitlist?: boolean;
}

/**
 * The legal transitions. Every status after `booked` still holds its place (schema.sql): the
 * visit flow never returns one, and a no-show's place is not returned either (its session is over).
 */
export const TRANSITIONS = {
  /** Paying the hold (pay.ts), only while the hold is valid. */
  pay: { from: ['pending_payment'], to: 'booked', by: ['patient'], returnsPlace: false, money: 'charge' },
  /** The hold ran out unpaid (expire.ts: the job, and lazily on the patient's reads and payment). */
  expire: { from: ['pending_payment'], to: 'expired', by: ['system'], returnsPlace: true, money: 'none', offersToWaitlist: true },
  /** 退号 by the patient until the cut-off (cancel.ts); a paid booking is refunded. */
  cancel: { from: ['pending_payment', 'booked'], to: 'cancelled', by: ['patient'], returnsPlace: true, money: 'refund', offersToWaitlist: true },
  /**
   * An admin cancels one appointment for the patient (a phone call to the hospital), with a
   * reason, at any time before the visit begins: a checked-in patient not yet called counts.
   * A paid booking is refunded and the patient is told (cancel.ts cancelByAdmin).
   */
  adminCancel: { from: ['pending_payment', 'booked', 'checked_in'], to: 'cancelled', by: ['admin'], returnsPlace: true, money: 'refund', offersToWaitlist: true },
  /** 停诊 (suspend.ts): every appointment of the session that has not started is cancelled and refunded; the session is gone, so nothing goes to its waitlist. */
  suspend: { from: ['pending_payment', 'booked'], to: 'cancelled', by: ['doctor', 'admin'], returnsPlace: true, money: 'refund' },
  /** Arrival (签到), and a passed patient's return (visit/check-in.ts). */
  checkIn: { from: ['booked', 'passed'], to: 'checked_in', by: ['patient', 'doctor', 'admin'], returnsPlace: false, money: 'none' },
  /** 叫号: the next waiting patient of the session, one at a time (visit/visit.ts `callNext`, `moveNextInQueue`). */
  call: { from: ['checked_in'], to: 'called', by: ['doctor'], returnsPlace: false, money: 'none' },
  /** 复呼: the called patient is called again (a new called_at). */
  recall: { from: ['called'], to: 'called', by: ['doctor'], returnsPlace: false, money: 'none' },
  /** 过号: called and not there. */
  pass: { from: ['called'], to: 'passed', by: ['doctor'], returnsPlace: false, money: 'none' },
  startVisit: { from: ['called'], to: 'in_visit', by: ['doctor'], returnsPlace: false, money: 'none' },
  complete: { from: ['in_visit'], to: 'completed', by: ['doctor'], returnsPlace: false, money: 'none' },
  /** Only by the sweep after the session: the session is over, so no place is returned. */
  noShow: { from: ['booked', 'passed'], to: 'no_show', by: ['system'], returnsPlace: false, money: 'none' },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof TRANSITIONS;

/** The stored statuses `name` moves from (a path exists only for stored ones). */
export function fromStatuses(name: TransitionName): AppointmentStatus[] {
  return (appointmentStatuses as readonly string[]).filter((status) => canMove(name, status)) as AppointmentStatus[];
}

/** Whether `status` is one `name` may move from. */
export function canMove(name: TransitionName, status: string): boolean {
  return (TRANSITIONS[name].from as readonly string[]).includes(status);
}

/**
 * 叫号 in one conditional UPDATE: the first waiting (`call.from`) appointment of the session in
 * queue order (`queue_key, id` on ix_appointment_queue) becomes `called`. The unique key
 * uq_appointment_calling allows one called or in-visit patient per session, so while one is
 * there the UPDATE fails with a duplicate key (the caller answers QUEUE_BUSY), and two presses at
 * once call one patient. Returns false when nobody is waiting.
 */
export async function moveNextInQueue(trx: Trx, sessionId: number, now: Date): Promise<boolean> {
  const moved = await trx
    .updateTable('appointment')
    .set({ status: TRANSITIONS.call.to, called_at: now, updated_at: now })
    .where('session_id', '=', sessionId)
    .where('status', 'in', fromStatuses('call'))
    .orderBy('queue_key')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

/** The appointment was no longer in a status the transition starts from: roll the transaction back. */
export class TransitionLost extends Error {
  constructor() {
    super('appointment status changed concurrently');
  }
}

/**
 * Moves every one of `appointmentIds` by `name`: one UPDATE, conditional on each still being in
 * one of the transition's `from` statuses (and on `where`'s extra condition). Throws
 * TransitionLost, for the caller's transaction to roll back, unless all of them moved.
 */
export async function moveAppointments(
  trx: Trx,
  name: TransitionName,
  appointmentIds: readonly number[],
  set: UpdateObject<DB, 'appointment'>,
  now: Date,
  where: { holdExpiredBy?: Date; holdValidAt?: Date } = {},
): Promise<void> {
  if (appointmentIds.length === 0) return;
  let update = trx
    .updateTable('appointment')
    .set({ ...set, status: TRANSITIONS[name].to as AppointmentStatus, updated_at: now })
    .where('id', 'in', [...appointmentIds])
    .where('status', 'in', fromStatuses(name));
  if (where.holdExpiredBy) update = update.where('hold_expires_at', '<=', where.holdExpiredBy);
  if (where.holdValidAt) update = update.where('hold_expires_at', '>', where.holdValidAt);
  const moved = await update.executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== appointmentIds.length) throw new TransitionLost();
}

/**
 * Returns the places of `appointments` (each with its slot) to their slots: `remaining + n` per
 * slot, in slot id order (the lock order). The only path that gives places back. `remaining + n
 * <= capacity` keeps the CHECK constraint from firing when an appointment turns out to have
 * left its active status already (a lost race): the slot's UPDATE then matches nothing and the
 * caller's transaction rolls back (TransitionLost).
 */
export async function releasePlaces(trx: Trx, appointments: ReadonlyArray<{ slotId: number }>, now: Date): Promise<void> {
  const perSlot = new Map<number, number>();
  for (const { slotId } of appointments) perSlot.set(slotId, (perSlot.get(slotId) ?? 0) + 1);
  for (const [slotId, count] of [...perSlot].sort(([a], [b]) => a - b)) {
    const slot = await trx
      .updateTable('slot')
      .set((eb) => ({ remaining: eb('remaining', '+', count), updated_at: now }))
      .where('id', '=', slotId)
      .where((eb) => eb(eb('remaining', '+', count), '<=', eb.ref('capacity')))
      .executeTakeFirst();
    if (Number(slot.numUpdatedRows) !== 1) throw new TransitionLost();
  }
}

/**
 * A transition that returns places (`returnsPlace`), whole: the places go back to their slots
 * (`releasePlaces`, which locks the slots first, the lock order), the appointments move, and
 * then — when the transition `offersToWaitlist` — the places are offered to the sessions'
 * waitlists in the same transaction (waitlist-offer.ts), so the public never sees them.
 *
 * The offer comes after the move, not inside `releasePlaces`: until the returning appointment
 * has left its active status it still holds its queue number (uq_appointment_queue_number),
 * and in a full slot that is the only number the offer could take. Throws TransitionLost
 * (roll back) as `releasePlaces` and `moveAppointments` do.
 */
export async function returnPlaces(
  trx: Trx,
  name: 'cancel' | 'adminCancel' | 'expire',
  appointments: ReadonlyArray<{ id: number; slotId: number }>,
  set: UpdateObject<DB, 'appointment'>,
  now: Date,
  where: { holdExpiredBy?: Date } = {},
): Promise<void> {
  await releasePlaces(trx, appointments, now);
  await moveAppointments(trx, name, appointments.map((a) => a.id), set, now, where);
  if (!TRANSITIONS[name].offersToWaitlist) return;
  const perSlot = new Map<number, number>();
  for (const { slotId } of appointments) perSlot.set(slotId, (perSlot.get(slotId) ?? 0) + 1);
  await offerReturnedPlaces(trx, [...perSlot].map(([slotId, count]) => ({ slotId, count })), now);
}
