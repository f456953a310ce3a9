/**
 * The waitlist's two clocks, in Shanghai wall-clock time (time/shanghai.ts), so the server's TZ
 * never matters:
 *
 *   closes at   `waitlistCloseMinutes` before the session's day begins — 360 (the default) is
 *               18:00 Shanghai the day before. From then on nobody joins, nothing is offered,
 *               and the closing job (close.ts) closes the entries still waiting.
 *   offer hold  an offered place is held unpaid for `waitlistOfferHoldMinutes`, but never past
 *               the slot's cancellation cut-off (`cancelCutoffMinutes` before it starts): a
 *               place the patient does not take must come back while someone else can still
 *               book it, and a patient who takes it could otherwise not cancel at all.
 */
import type { EffectiveRules } from '../rules/booking-rules.js';
import { shanghaiDate, shanghaiTime, shanghaiToInstant, type LocalDate, type LocalTime } from '../time/shanghai.js';

/** The instant the waitlist of a session on `sessionDate` closes. */
export function waitlistClosesAt(sessionDate: LocalDate, rules: Pick<EffectiveRules, 'waitlistCloseMinutes'>): Date {
  return new Date(shanghaiToInstant(sessionDate, '00:00:00').getTime() - rules.waitlistCloseMinutes * 60_000);
}

/**
 * When an offer made at `now` for the slot starting `slotStart` on `sessionDate` stops holding
 * its place; undefined when the cap has passed already (no offer is worth making).
 */
export function offerHoldExpiresAt(
  now: Date,
  sessionDate: LocalDate,
  slotStart: LocalTime,
  rules: Pick<EffectiveRules, 'waitlistOfferHoldMinutes' | 'cancelCutoffMinutes'>,
): Date | undefined {
  const cap = shanghaiToInstant(sessionDate, slotStart).getTime() - rules.cancelCutoffMinutes * 60_000;
  const expires = Math.min(now.getTime() + rules.waitlistOfferHoldMinutes * 60_000, cap);
  return expires > now.getTime() ? new Date(expires) : undefined;
}

/** `YYYY-MM-DD HH:MM` Shanghai, as messages show times. */
export function shanghaiMinute(instant: Date): string {
  return `${shanghaiDate(instant)} ${shanghaiTime(instant).slice(0, 5)}`;
}

const PERIOD_LABEL = { morning: '上午', afternoon: '下午', evening: '晚上' } as const;

/** A session as messages name it, e.g. `2026-12-01 上午`. */
export function sessionLabel(sessionDate: LocalDate, period: keyof typeof PERIOD_LABEL): string {
  return `${sessionDate} ${PERIOD_LABEL[period]}`;
}
