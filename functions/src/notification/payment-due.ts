/**
 * The payment reminder (待支付提醒) of a booking that holds a place unpaid: written with the
 * booking, due shortly before the hold runs out, and skipped by the delivery job if the
 * appointment is no longer pending payment by then (templates.ts, `onlyWhile`).
 */
import { shanghaiDate, shanghaiTime } from '../time/shanghai.js';

/** How long before the hold runs out the patient is reminded to pay. */
export const PAYMENT_DUE_LEAD_MINUTES = 5;

/**
 * When the reminder of a hold taken at `heldAt` and running out at `holdExpiresAt` is due:
 * PAYMENT_DUE_LEAD_MINUTES before the end, but not within the first half of the hold, so a
 * short hold does not remind a patient who is still on the payment page.
 */
export function paymentDueAt(heldAt: Date, holdExpiresAt: Date): Date {
  const lead = holdExpiresAt.getTime() - PAYMENT_DUE_LEAD_MINUTES * 60_000;
  const half = heldAt.getTime() + (holdExpiresAt.getTime() - heldAt.getTime()) / 2;
  return new Date(Math.max(lead, half));
}

/** `YYYY-MM-DD HH:MM`, Shanghai wall-clock, as templates take times. */
export function shanghaiWallClock(instant: Date): string {
  return `${shanghaiDate(instant)} ${shanghaiTime(instant).slice(0, 5)}`;
}
