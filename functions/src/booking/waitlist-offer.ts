/**
 * The fill (候补兑现): a place that comes back to a slot — a cancellation, an expired hold
 * (transitions.ts `returnPlaces`), capacity raised or a slot added (schedule/sessions.ts) — is
 * offered, in the same transaction, to the head of the session's waitlist. The head gets an
 * appointment in `pending_payment` holding the place (`booked` at once for a free session),
 * with its own hold (rules/waitlist-timing.ts), its entry becomes `fulfilled` (pointing at the appointment),
 * and the offer's message goes into the outbox. The slot's `remaining` goes back down in the
 * same transaction, so nobody outside it ever sees the place: a public booking waiting on the
 * slot's row lock reads the slot after COMMIT, full again.
 *
 * An offer is final for its entry: when the hold runs out unpaid, the appointment expires
 * through the ordinary expiry path (booking/expire.ts), whose `returnPlaces` offers the
 * place to the next in line. The entry stays `fulfilled`: the patient had their turn.
 *
 * Who is next: the session's waiting entries in FIFO order (created_at, id) whose chosen slot
 * times (slot_starts, NULL = any) include the slot's start. Each candidate is checked again
 * as the booking gate checks (book.ts: `enforceLimits`): no ban, the per-day and
 * per-department limits, not already holding a place in the session. A candidate who fails a
 * limit or a ban keeps waiting and the place goes to the next one; a candidate who booked the
 * session meanwhile leaves the waitlist (cancelled). Nothing is offered once the waitlist has
 * closed (rules/waitlist-timing.ts), when the session is no longer bookable (suspended — a
 * 停诊 returns its places but must offer none —, past, doctor unavailable), or when the hold
 * cap has passed.
 *
 * The limits are counted under the lock booking counts them under (book.ts: the profile row,
 * FOR UPDATE), so a booking of the same profile and the offer are serialised: whichever locks
 * the profile second counts the other's appointment, and a limit of n is never passed by one.
 * The count itself is a locking read of the candidate's appointments that day: the fill runs
 * late in its caller's transaction, whose snapshot is older than the profile's lock, so a plain
 * read could miss a booking that committed just before we got it. It is made after the
 * offered appointment's INSERT (which it then leaves out): its gap locks on
 * ix_appointment_profile_date would otherwise be held by two offers whose candidates share a
 * gap while each inserts into it — a deadlock on every burst of cancellations. A candidate
 * found at a limit has the INSERT deleted and the place given back (same transaction).
 *
 * Lock order (book.ts, top; the waitlist's rows come after the slots and the appointments
 * that return their places, before the appointments the offers insert):
 *
 *     patient_profile → slot (id order) → appointment (returning) → waitlist_entry (a session's
 *                     waiting rows, FIFO order) → patient_profile (candidate's, NOWAIT)
 *                     → clinic_session (shared) → appointment (offered: INSERT)
 *                     → appointment (candidate's that day,
 *                     NOWAIT) → outbox, audit
 *
 * The fill runs holding the slot rows its caller locked (all of them, before any waitlist
 * row) and the returning appointments it moved, then locks the session's waiting entries (FOR
 * UPDATE, in index order, so two fills of one session queue instead of offering one entry
 * twice), takes the place with a conditional UPDATE of the slot it already holds and inserts
 * the appointment. The candidate's profile comes first in the booking path's order, before the
 * slot we hold; so the fill only tries its lock — `FOR UPDATE NOWAIT`, as for the candidate's
 * appointments — and never waits for it: a lock that is never waited for cannot close a
 * cycle. A candidate whose profile or appointments another transaction holds at that moment
 * (a booking or a join of that profile, an offer to it from another session, a payment) is
 * passed over for this place as one at a limit is: they keep waiting, with their position.
 * Nobody locks a waitlist row and then a slot or an existing appointment: joining
 * (waitlist/join.ts) locks the profile, then the slots it would wait for, and inserts its
 * entry; leaving and the closing job update one entry by primary key and write the outbox. The
 * session row is only share-locked, for the offered appointment's doctor (after the slot, as
 * in booking); its state is read plainly, which is exact because a suspension locks every
 * slot of the session before it writes the session, and we hold one.
 */
import { CompiledQuery } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import { enforceLimits, freeQueueNumber, newOrderNumber, requestHash, type ProfileLoad } from './book.js';
import { DOCTOR_AVAILABLE_SQL, slotRefusal, type SlotFacts } from './bookability.js';
import { isDuplicateKey, isNowaitRefused } from '../db/driver-errors.js';
import type { Trx } from '../db/transaction.js';
import { AppError } from '../errors.js';
import { notifyAppointments } from '../notification/outbox.js';
import { getEffectiveRules } from '../rules/booking-rules.js';
import { TransitionLost } from './transitions.js';
import { acceptsSlot } from './waitlist-slot-starts.js';
import { offerHoldExpiresAt, shanghaiMinute, waitlistClosesAt } from '../rules/waitlist-timing.js';

export interface ReturnedPlaces {
  slotId: number;
  /** Places that came back to the slot in this transaction. */
  count: number;
}

export interface Offer {
  entryId: number;
  appointmentId: number;
  slotId: number;
}

/**
 * Whether any entry of the slot's session is waiting: the common case, none, costs this one read.
 * A locking read, so it sees every entry committed before the caller took the slot's lock,
 * whatever the caller read before (a join checks fullness under that lock: waitlist/join.ts).
 */
const ANY_WAITING_SQL = `
  SELECT 1 AS waiting FROM slot s JOIN waitlist_entry w ON w.session_id = s.session_id AND w.status = 'waiting'
   WHERE s.id = ? LIMIT 1
    LOCK IN SHARE MODE`;

type SlotRow = SlotFacts & {
  end_time: string;
  seq_start: number;
  seq_count: number;
  session_id: number;
  period: 'morning' | 'afternoon' | 'evening';
  fee_fen: number;
  doctor_id: number;
  department_id: number;
};

/** The slot and its session, read plainly (the caller holds the slot's row lock). */
const SLOT_SQL = `
  SELECT s.remaining, s.start_time, s.end_time, s.seq_start, s.seq_count,
         cs.id AS session_id, cs.session_date, cs.period, cs.fee_fen, cs.status, cs.release_at, cs.bookable_until,
         cs.doctor_id, cs.department_id, ${DOCTOR_AVAILABLE_SQL} AS doctor_available
    FROM slot s JOIN clinic_session cs ON cs.id = s.session_id
    JOIN doctor d ON d.id = cs.doctor_id
    JOIN department dep ON dep.id = cs.department_id
    LEFT JOIN department par ON par.id = dep.parent_id
   WHERE s.id = ?`;

/** The session's waiting entries, FIFO, locked (ix_waitlist_session). */
const WAITING_SQL = `
  SELECT id, account_id, profile_id, slot_starts FROM waitlist_entry
   WHERE session_id = ? AND status = 'waiting'
   ORDER BY created_at, id
     FOR UPDATE`;

/**
 * Takes one place of a slot the caller holds: book.ts's TAKE_PLACE_SQL without its EXISTS over
 * the session (read above, see the top), numbering the same way (`next_seq` via LAST_INSERT_ID).
 */
const TAKE_OFFERED_PLACE_SQL = `
  UPDATE slot SET remaining = remaining - 1, next_seq = LAST_INSERT_ID(MOD(next_seq, seq_count) + 1), updated_at = ?
   WHERE id = ? AND remaining > 0`;

/** Gives back a place taken for an offer that could not be made (the insert lost a race). */
const UNTAKE_SQL = 'UPDATE slot SET remaining = remaining + 1, updated_at = ? WHERE id = ?';

function execute<Row>(trx: Trx, statement: string, parameters: unknown[]) {
  return trx.executeQuery<Row>(CompiledQuery.raw(statement, parameters));
}

/**
 * In the caller's transaction, which holds the row locks of every slot in `places`: offers up
 * to `count` places of each slot to its session's waitlist (see the top). Returns the offers made.
 */
export async function offerReturnedPlaces(trx: Trx, places: readonly ReturnedPlaces[], now: Date): Promise<Offer[]> {
  const offers: Offer[] = [];
  for (const { slotId, count } of [...places].sort((a, b) => a.slotId - b.slotId)) {
    if (count <= 0) continue;
    const waiting = await execute(trx, ANY_WAITING_SQL, [slotId]);
    if (waiting.rows.length === 0) continue;
    offers.push(...(await offerSlot(trx, slotId, count, now)));
  }
  return offers;
}

async function offerSlot(trx: Trx, slotId: number, count: number, now: Date): Promise<Offer[]> {
  const slot = (await execute<SlotRow>(trx, SLOT_SQL, [slotId])).rows[0];
  if (!slot) return [];
  // Bookable but for being full: a suspended, past or unavailable session offers nothing.
  if (slotRefusal({ ...slot, remaining: 1 }, now) !== undefined) return [];
  const rules = await getEffectiveRules(trx, slot.department_id);
  if (now >= waitlistClosesAt(slot.session_date, rules)) return [];
  const holdExpiresAt = offerHoldExpiresAt(now, slot.session_date, slot.start_time, rules);
  if (!holdExpiresAt) return [];

  const entries = (await execute<{ id: number; account_id: number; profile_id: number; slot_starts: string | null }>(trx, WAITING_SQL, [slot.session_id])).rows;
  const offers: Offer[] = [];
  for (const entry of entries) {
    if (offers.length === count) break;
    if (!acceptsSlot(entry.slot_starts, slot.start_time)) continue;
    if (!(await mayBeOffered(trx, entry, now))) continue;
    const taken = await execute(trx, TAKE_OFFERED_PLACE_SQL, [now, slotId]);
    if (Number(taken.numAffectedRows ?? 0) !== 1) break; // no place left in the slot
    const appointmentId = await insertOffer(trx, entry, slotId, slot, Number(taken.insertId), holdExpiresAt, now);
    if (appointmentId === undefined) {
      // The profile booked the session in a transaction that committed meanwhile.
      await execute(trx, UNTAKE_SQL, [now, slotId]);
      await closeEntry(trx, entry.id, 'cancelled', now);
      continue;
    }
    if (!(await withinLimits(trx, entry, appointmentId, slot, rules))) {
      // At a limit (or their day's appointments are being changed right now): they keep waiting.
      await execute(trx, DELETE_OFFER_SQL, [appointmentId]);
      await execute(trx, UNTAKE_SQL, [now, slotId]);
      continue;
    }
    await trx
      .updateTable('waitlist_entry')
      .set({ status: 'fulfilled', appointment_id: appointmentId, fulfilled_at: now, updated_at: now })
      .where('id', '=', entry.id)
      .where('status', '=', 'waiting')
      .execute();
    offers.push({ entryId: entry.id, appointmentId, slotId });
  }
  if (offers.length === 0) return offers;

  const pending = slot.fee_fen > 0;
  const payBy = shanghaiMinute(holdExpiresAt);
  if (pending) {
    await notifyAppointments(trx, 'waitlist_offer', offers.map((o) => ({ appointmentId: o.appointmentId, params: { payBy } })), now);
  } else {
    await notifyAppointments(trx, 'booking_confirmed', offers.map((o) => ({ appointmentId: o.appointmentId, params: {} })), now);
  }
  for (const offer of offers) {
    await recordAudit(
      trx,
      {
        actor: 'system',
        action: 'waitlist.offer',
        target: { type: 'waitlist_entry', id: offer.entryId },
        summary: { appointmentId: offer.appointmentId, slotId, holdExpiresAt: pending ? holdExpiresAt.toISOString() : null },
      },
      now,
    );
  }
  return offers;
}

/** The candidate's profile, the lock booking takes first (book.ts), tried without waiting (see the top). */
const LOCK_CANDIDATE_SQL = 'SELECT id FROM patient_profile WHERE id = ? FOR UPDATE NOWAIT';

/** The account's ban: read, not locked, as booking reads it (book.ts `recount`). */
const BANNED_UNTIL_SQL = 'SELECT banned_until FROM user_account WHERE id = ?';

/**
 * The candidate's appointments holding a place on the session's date — the offer just inserted
 * among them —, read with their locks so the latest committed rows are counted. The index is
 * forced: MariaDB may otherwise pick ix_appointment_visit_date and lock every appointment of
 * that day, so that anyone's cancellation made the candidate look busy. Parameters: profile id, date.
 */
const CANDIDATE_LOAD_SQL = `
  SELECT id, department_id, session_id FROM appointment FORCE INDEX (ix_appointment_profile_date)
   WHERE profile_id = ? AND session_date = ? AND holds_place = 1
     FOR UPDATE NOWAIT`;

/** Takes back an offer that turned out to pass a limit: as if never inserted (same transaction). */
const DELETE_OFFER_SQL = 'DELETE FROM appointment WHERE id = ?';

/** Runs a NOWAIT read; undefined when a row it needs is locked by another transaction. */
async function tryLocked<Row>(trx: Trx, statement: string, parameters: unknown[]): Promise<Row[] | undefined> {
  try {
    return (await execute<Row>(trx, statement, parameters)).rows;
  } catch (error) {
    if (isNowaitRefused(error)) return undefined; // only the statement failed: the transaction goes on
    throw error;
  }
}

/**
 * Before a place is taken for the candidate: their profile's lock, the one booking counts the
 * limits under (book.ts), tried without waiting (see the top), and no ban. False: they keep
 * waiting and the place goes on down the line.
 */
async function mayBeOffered(trx: Trx, entry: { account_id: number; profile_id: number }, now: Date): Promise<boolean> {
  if ((await tryLocked(trx, LOCK_CANDIDATE_SQL, [entry.profile_id])) === undefined) return false;
  const account = (await execute<{ banned_until: Date | null }>(trx, BANNED_UNTIL_SQL, [entry.account_id])).rows[0];
  return !(account?.banned_until && account.banned_until > now);
}

/**
 * After the offer's INSERT, under the candidate's profile lock: the booking gate's limits
 * (book.ts `enforceLimits`) over their other appointments that day, from a locking read (see
 * the top: why after the INSERT). False also when one of those rows is locked elsewhere.
 */
async function withinLimits(
  trx: Trx,
  entry: { profile_id: number },
  appointmentId: number,
  slot: SlotRow,
  rules: Parameters<typeof enforceLimits>[1],
): Promise<boolean> {
  const held = await tryLocked<{ id: number; department_id: number; session_id: number }>(trx, CANDIDATE_LOAD_SQL, [entry.profile_id, slot.session_date]);
  if (held === undefined) return false;
  const others = held.filter((a) => Number(a.id) !== appointmentId);
  const load: ProfileLoad = {
    day: others.length,
    department: others.filter((a) => a.department_id === slot.department_id).length,
    sameSession: others.filter((a) => a.session_id === slot.session_id).length,
  };
  try {
    enforceLimits(load, rules);
  } catch (error) {
    if (error instanceof AppError) return false;
    throw error;
  }
  return true;
}

/**
 * The session's doctor and department, share-locked (clinic_session after the slot: the lock
 * order), for the offered appointment: a 替诊 (schedule/substitution.ts) that committed since
 * SLOT_SQL read the session is seen here.
 */
const SESSION_DOCTOR_SQL = 'SELECT doctor_id, department_id FROM clinic_session WHERE id = ? LOCK IN SHARE MODE';

/**
 * The offered appointment: an INSERT … VALUES, not booking's INSERT … SELECT (book.ts
 * INSERT_APPOINTMENT_SQL). MariaDB (innodb_autoinc_lock_mode = 1) holds the table's AUTO-INC
 * lock through an INSERT … SELECT, including while it waits for a uniqueness check's row lock;
 * the fill runs holding many rows, and offers of neighbouring sessions deadlocked on it
 * (errno 1467) in tests/waitlist/races.test.ts. A simple insert takes no such lock.
 */
const INSERT_OFFER_SQL = `
  INSERT INTO appointment (order_no, account_id, profile_id, slot_id, session_id, doctor_id, department_id,
                           session_date, period, slot_start, slot_end, queue_number, fee_fen, status,
                           hold_expires_at, idempotency_key, request_hash, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * The offered appointment, numbered as a booking is (book.ts): the slot's `next_seq` candidate,
 * or on a collision with a number still held the first free one. Undefined when the profile
 * holds a place in the session already (uq_appointment_profile_session).
 */
async function insertOffer(
  trx: Trx,
  entry: { id: number; account_id: number; profile_id: number },
  slotId: number,
  slot: SlotRow,
  nextSeq: number,
  holdExpiresAt: Date,
  now: Date,
): Promise<number | undefined> {
  const session = (await execute<{ doctor_id: number; department_id: number }>(trx, SESSION_DOCTOR_SQL, [slot.session_id])).rows[0];
  // A 替诊 committed since the slot was read: the caller's transaction rolls back and its
  // cancel or expiry is answered as a lost race (rare: a substitution takes no slot lock).
  if (!session || session.doctor_id !== slot.doctor_id) throw new TransitionLost();
  const status = slot.fee_fen > 0 ? 'pending_payment' : 'booked';
  let queueNumber = slot.seq_start + nextSeq - 1;
  for (let attempt = 1; ; attempt++) {
    try {
      const inserted = await execute(trx, INSERT_OFFER_SQL, [
        newOrderNumber(now), entry.account_id, entry.profile_id, slotId, slot.session_id, session.doctor_id, session.department_id,
        slot.session_date, slot.period, slot.start_time, slot.end_time, queueNumber,
        slot.fee_fen, status, status === 'pending_payment' ? holdExpiresAt : null,
        // The entry's own key: one offer per entry, ever (uq_appointment_idempotency).
        `waitlist-${entry.id}`, requestHash({ slotId, profileId: entry.profile_id }), now, now,
      ]);
      return Number(inserted.insertId);
    } catch (error) {
      if (isDuplicateKey(error, 'uq_appointment_profile_session')) return undefined;
      if (attempt >= 3) throw error;
      if (isDuplicateKey(error, 'uq_appointment_queue_number')) {
        queueNumber = await freeQueueNumber(trx, slot.session_id, slot.seq_start, slot.seq_count, queueNumber);
      } else if (!isDuplicateKey(error, 'uq_appointment_order_no')) {
        throw error; // a new order number is drawn on the next try
      }
    }
  }
}

/** Takes an entry out of the waitlist (its lock is held) without an offer. */
export async function closeEntry(trx: Trx, entryId: number, status: 'cancelled' | 'expired', now: Date): Promise<boolean> {
  const closed = await trx
    .updateTable('waitlist_entry')
    .set({ status, closed_at: now, updated_at: now })
    .where('id', '=', entryId)
    .where('status', '=', 'waiting')
    .executeTakeFirst();
  return Number(closed.numUpdatedRows) === 1;
}
