/**
 * The order of a session's waiting queue, fixed at check-in as one sort key (appointment.queue_key)
 * so that 叫号 and every position read are one ORDER BY / COUNT on ix_appointment_queue:
 *
 * - On time: the queue number, spread out (`queue_number × 2^20`), so patients who arrive on
 *   time are called by number whenever they arrive.
 * - Late (after the slot start + `lateGraceMinutes`) or back after 过号: behind on-time patients,
 *   interleaved — the patient goes `lateInterleave` (n) waiting patients after the last late or
 *   returning one still waiting (or after the first n when there is none), i.e. between two
 *   waiting patients' keys. With n = 2 the queue reads on, on, late, on, on, late…
 *
 * An on-time patient who arrives afterwards still goes by number, ahead of a late one placed
 * behind a higher number. Keys between two neighbours are their midpoint: 20 late patients
 * placed between the same two on-time numbers before the gap is used up; after that ties
 * are called by appointment id.
 */
import { sql } from 'kysely';
import type { Trx } from '../db/transaction.js';

const SPREAD = 2 ** 20;

/** The key of an on-time arrival. */
export function onTimeKey(queueNumber: number): number {
  return queueNumber * SPREAD;
}

/** Where a late or returning patient goes among `waiting` (in queue order): the key between its neighbours. */
export function lateKey(waiting: ReadonlyArray<{ queueKey: number; late: boolean }>, interleave: number): number {
  let lastLate = -1;
  waiting.forEach((w, i) => {
    if (w.late) lastLate = i;
  });
  const at = Math.min(lastLate + 1 + interleave, waiting.length);
  const before = waiting[at - 1]?.queueKey;
  const after = waiting[at]?.queueKey;
  if (after === undefined) return (before ?? 0) + SPREAD;
  return Math.floor(((before ?? 0) + after) / 2);
}

/**
 * In the caller's transaction: the key for a late or returning patient of `sessionId`. Locks the
 * session row first, so two late arrivals of one session are placed one after the other (lock
 * order: session → appointments, as in book.ts).
 */
export async function placeLate(trx: Trx, sessionId: number, interleave: number): Promise<number> {
  await sql`SELECT id FROM clinic_session WHERE id = ${sessionId} FOR UPDATE`.execute(trx);
  const waiting = await trx
    .selectFrom('appointment')
    .select(['queue_key', 'queue_late'])
    .where('session_id', '=', sessionId)
    .where('status', '=', 'checked_in')
    .orderBy('queue_key')
    .orderBy('id')
    .execute();
  return lateKey(
    waiting.map((w) => ({ queueKey: Number(w.queue_key ?? 0), late: w.queue_late === 1 })),
    interleave,
  );
}
