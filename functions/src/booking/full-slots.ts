/**
 * Slots this process has just seen sold out, remembered for a second so that the flood of
 * refusals after a release (放号) costs one point read instead of the booking gate
 * (DESIGN §3: "a sold-out slot is cheap to refuse"). How book.ts uses it, and why a stale entry
 * costs a refusal but never a double booking, is explained at the top of book.ts.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../db/create-db.js';
import type { SlotFacts } from './bookability.js';

/** How long a slot seen sold out is refused from memory (real time, not the app's clock). */
export const FULL_SLOT_MEMO_MS = 1000;
const FULL_SLOT_MEMO_MAX = 1024;

interface KnownFull {
  until: number;
  facts: SlotFacts;
}

/** Per database (the process has one; tests have several): slot id → sold out until. */
const fullSlots = new WeakMap<Db, Map<number, KnownFull>>();

export function rememberFull(db: Db, slotId: number, facts: SlotFacts): void {
  let slots = fullSlots.get(db);
  if (!slots) {
    slots = new Map();
    fullSlots.set(db, slots);
  }
  if (slots.size >= FULL_SLOT_MEMO_MAX) slots.clear();
  const { doctor_available, status, release_at, bookable_until, session_date, start_time } = facts;
  slots.set(slotId, { until: performance.now() + FULL_SLOT_MEMO_MS, facts: { doctor_available, status, release_at, bookable_until, session_date, start_time, remaining: 0 } });
}

export function knownFull(db: Db, slotId: number): SlotFacts | undefined {
  const slots = fullSlots.get(db);
  const known = slots?.get(slotId);
  if (!known) return undefined;
  if (performance.now() < known.until) return known.facts;
  slots!.delete(slotId);
  return undefined;
}

/** Called after this process returned places (cancel, expiry, suspension): refuse nothing from memory. */
export function forgetFullSlots(db: Db): void {
  fullSlots.get(db)?.clear();
}

