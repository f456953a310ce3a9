/**
 * Closing the waitlist (候补截止): at `waitlistCloseMinutes` before a session's day (rules/waitlist-timing.ts;
 * 18:00 Shanghai the day before by default), or as soon as the session is suspended, every
 * entry still waiting is closed — status `expired`, closed_at — with a "closed without a
 * place" message (notification template `waitlist_closed`) written in the same transaction.
 *
 * One transaction per entry, each a conditional UPDATE on `status = 'waiting'`: two runs at
 * once (or a run racing a fill or a patient leaving) close and notify each entry exactly once —
 * the loser's UPDATE matches no row and it writes nothing; the message's dedupe key
 * (`waitlist_closed:<entry id>`) makes even a repeat of the same transaction harmless.
 */
import { recordAudit } from '../audit/audit.js';
import type { Db } from '../db/create-db.js';
import { inTransaction } from '../db/transaction.js';
import { enqueueNotification } from '../notification/outbox.js';
import { getEffectiveRulesByDepartment } from '../rules/booking-rules.js';
import { addDays, shanghaiDate } from '../time/shanghai.js';
import { closeEntry } from '../booking/waitlist-offer.js';
import { sessionLabel, waitlistClosesAt } from '../rules/waitlist-timing.js';

export interface WaitlistCloseSummary {
  /** Waiting entries whose waitlist had closed. */
  due: number;
  /** Of those, closed by this run (the rest were closed, left or offered concurrently). */
  closed: number;
}

/** The longest close rule (rules routes: 10 080 minutes) plus a day: sessions further out never close yet. */
const MAX_CLOSE_DAYS = 8;

/** Closes the entries of waitlists that have closed by `now`, at most `limit` per call. */
export async function closeDueWaitlists(db: Db, now: Date, options: { limit?: number } = {}): Promise<WaitlistCloseSummary> {
  const candidates = await db
    .selectFrom('waitlist_entry as w')
    .innerJoin('clinic_session as cs', 'cs.id', 'w.session_id')
    .innerJoin('department as dep', 'dep.id', 'cs.department_id')
    .innerJoin('doctor as d', 'd.id', 'cs.doctor_id')
    .innerJoin('patient_profile as p', 'p.id', 'w.profile_id')
    .select([
      'w.id', 'w.account_id', 'cs.session_date', 'cs.period', 'cs.status as session_status',
      'cs.department_id', 'dep.parent_id', 'dep.name as department_name', 'd.name as doctor_name', 'p.real_name',
    ])
    .where('w.is_waiting', '=', 1)
    .where((eb) => eb.or([eb('cs.session_date', '<=', addDays(shanghaiDate(now), MAX_CLOSE_DAYS)), eb('cs.status', '=', 'suspended')]))
    .orderBy('w.id')
    .execute();
  const rules = await getEffectiveRulesByDepartment(
    db,
    [...new Map(candidates.map((c) => [c.department_id, { id: c.department_id, parentId: c.parent_id }])).values()],
  );
  const due = candidates
    .filter((c) => c.session_status === 'suspended' || now >= waitlistClosesAt(c.session_date, rules.get(c.department_id)!))
    .slice(0, options.limit ?? 500);

  let closed = 0;
  for (const entry of due) {
    const done = await inTransaction(db, async (trx) => {
      if (!(await closeEntry(trx, entry.id, 'expired', now))) return false;
      await enqueueNotification(
        trx,
        {
          template: 'waitlist_closed',
          params: {
            patientName: entry.real_name,
            departmentName: entry.department_name,
            doctorName: entry.doctor_name,
            sessionLabel: sessionLabel(entry.session_date, entry.period),
          },
          userId: entry.account_id,
          dedupeKey: `waitlist_closed:${entry.id}`,
        },
        now,
      );
      await recordAudit(
        trx,
        { actor: 'system', action: 'waitlist.close', target: { type: 'waitlist_entry', id: entry.id }, summary: { sessionSuspended: entry.session_status === 'suspended' } },
        now,
      );
      return true;
    });
    if (done) closed++;
  }
  return { due: due.length, closed };
}
