/**
 * 爽约: after a session ends (its end time, Shanghai wall-clock, has come), its appointments
 * still booked (never checked in) or passed (called, never back) become no_show — decided only
 * here, never by 过号 alone. No place is returned: the session is over. Each session is one
 * transaction: the conditional UPDATE of its no-shows (transitions.ts `noShow`) and the bans they
 * bring (bans.ts). Idempotent, and safe to run twice at once: a second sweep's UPDATE finds the
 * rows moved (TransitionLost), reads again and finds nothing left; a check-in that got there
 * first keeps its patient (the sweep reads again and leaves them).
 */
import { recordAudit } from '../audit/audit.js';
import type { Db } from '../db/create-db.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { fromStatuses, moveAppointments, TransitionLost } from '../booking/transitions.js';
import { getEffectiveRules } from '../rules/booking-rules.js';
import { shanghaiDate, shanghaiTime } from '../time/shanghai.js';
import { applyBans } from './bans.js';

export interface NoShowSummary {
  sessions: number;
  noShows: number;
  bans: number;
}

/** Sessions that have ended and still have appointments never seen (ix_appointment_hold's status prefix). */
async function endedSessionsWithUnseen(db: Db, now: Date): Promise<number[]> {
  const today = shanghaiDate(now);
  const time = shanghaiTime(now);
  const rows = await db
    .selectFrom('appointment as a')
    .innerJoin('clinic_session as s', 's.id', 'a.session_id')
    .select('a.session_id')
    .distinct()
    .where('a.status', 'in', fromStatuses('noShow'))
    .where('a.session_date', '<=', today)
    .where((eb) => eb.or([eb('s.session_date', '<', today), eb('s.end_time', '<=', time)]))
    .orderBy('a.session_id')
    .limit(1000)
    .execute();
  return rows.map((r) => r.session_id);
}

export async function sweepNoShows(deps: AppDeps): Promise<NoShowSummary> {
  const now = deps.clock.now();
  const summary: NoShowSummary = { sessions: 0, noShows: 0, bans: 0 };
  const rules = await getEffectiveRules(deps.db, null);
  for (const sessionId of await endedSessionsWithUnseen(deps.db, now)) {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const unseen = await deps.db
        .selectFrom('appointment')
        .select(['id', 'account_id'])
        .where('session_id', '=', sessionId)
        .where('status', 'in', fromStatuses('noShow'))
        .orderBy('id')
        .execute();
      if (unseen.length === 0) break;
      try {
        const bans = await inTransaction(deps.db, async (trx) => {
          await moveAppointments(trx, 'noShow', unseen.map((a) => a.id), { no_show_at: now }, now);
          await recordAudit(trx, { actor: 'system', action: 'appointment.no_show', target: { type: 'clinic_session', id: sessionId }, summary: { appointmentIds: unseen.map((a) => a.id) } }, now);
          return applyBans(trx, unseen.map((a) => a.account_id), rules, now);
        });
        summary.sessions += 1;
        summary.noShows += unseen.length;
        summary.bans += bans.length;
        break;
      } catch (error) {
        // Checked in, or swept by another run, meanwhile: read the session again.
        if (!(error instanceof TransitionLost)) throw error;
      }
    }
  }
  return summary;
}
