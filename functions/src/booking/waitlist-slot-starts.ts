/**
 * The slot times an entry accepts (waitlist_entry.slot_starts): Shanghai `HH:MM:SS` slot
 * starts, comma-separated, in time order; NULL accepts any slot of the session.
 */

export function encodeSlotStarts(starts: readonly string[] | undefined): string | null {
  if (!starts || starts.length === 0) return null;
  return [...new Set(starts.map(normaliseTime))].sort().join(',');
}

export function decodeSlotStarts(stored: string | null): string[] | null {
  return stored === null ? null : stored.split(',');
}

/** Whether an entry with `stored` accepts a place in the slot starting at `start`. */
export function acceptsSlot(stored: string | null, start: string): boolean {
  return stored === null || stored.split(',').includes(normaliseTime(start));
}

/** `HH:MM` → `HH:MM:SS`; TIME values may carry fractions on some servers: keep 8 characters. */
export function normaliseTime(time: string): string {
  return time.length === 5 ? `${time}:00` : time.slice(0, 8);
}
