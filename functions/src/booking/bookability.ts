/**
 * "Can this slot be booked now?" — defined once (DESIGN §3). Three places ask it:
 *
 *   - the booking gate (book.ts), from facts read without a lock, to refuse cheaply and say why;
 *   - the conditional UPDATE that takes the place (book.ts), which asks it again in SQL under the
 *     slot's row lock, so a change that commits between the gate and the UPDATE still refuses;
 *   - the calendar (catalog/calendar.ts), which shows each slot's state.
 *
 * Each condition below carries its check in JavaScript and the same check in SQL, so the three
 * cannot disagree. The order is the order of the answers: the first condition a slot fails is
 * the reason given (a suspended session that is also full is answered SESSION_SUSPENDED).
 *
 * The SQL fragments are over the aliases `s` (slot), `cs` (clinic_session), `d` (doctor),
 * `dep` (its department) and `par` (the department's 大科, LEFT JOINed), with `?` placeholders
 * bound from `now` by `parameters`.
 */
import { shanghaiDate, shanghaiTime, shanghaiToInstant, type LocalDate } from '../time/shanghai.js';

/** The facts the decision needs, named after their columns (the gate reads them as they are). */
export type SlotFacts = {
  /** 1 when the doctor, the session's department and that department's 大科 are active (`DOCTOR_AVAILABLE_SQL`). */
  doctor_available: number | string;
  /** The session's status. */
  status: 'open' | 'suspended';
  release_at: Date;
  bookable_until: Date;
  session_date: LocalDate;
  /** The slot's start, Shanghai wall-clock `HH:MM:SS`. */
  start_time: string;
  remaining: number;
};

export type SlotRefusal = 'DOCTOR_UNAVAILABLE' | 'SESSION_SUSPENDED' | 'SLOT_NOT_RELEASED' | 'SLOT_PAST' | 'SLOT_FULL';

interface BookableCondition {
  /** The answer when the slot fails this condition. */
  refusal: SlotRefusal;
  /** Whether the slot meets it at `now`. */
  holds(facts: SlotFacts, now: Date): boolean;
  /** The same condition in SQL (aliases above). */
  sql: string;
  /** The values of `sql`'s placeholders at `now`. */
  parameters(now: Date): unknown[];
  /** Whether `sql` reads only the slot row (`s`): such conditions stand outside the UPDATE's EXISTS. */
  slotOnly?: true;
}

/**
 * Whether the session's doctor sees patients: the doctor, the session's department and that
 * department's 大科 (if any) are active — an inactive 大科 hides its 小科 from the catalogue
 * (catalog.ts), so it closes their booking too.
 */
export const DOCTOR_AVAILABLE_SQL = '(d.active = 1 AND dep.active = 1 AND COALESCE(par.active, 1) = 1)';

const none = (): unknown[] => [];

/** The conditions of a bookable slot, in the order their refusals are answered. */
export const BOOKABLE: readonly BookableCondition[] = [
  {
    refusal: 'DOCTOR_UNAVAILABLE',
    holds: (facts) => Number(facts.doctor_available) === 1,
    sql: DOCTOR_AVAILABLE_SQL,
    parameters: none,
  },
  {
    refusal: 'SESSION_SUSPENDED',
    holds: (facts) => facts.status === 'open',
    sql: "cs.status = 'open'",
    parameters: none,
  },
  {
    refusal: 'SLOT_NOT_RELEASED',
    holds: (facts, now) => facts.release_at <= now,
    sql: 'cs.release_at <= ?',
    parameters: (now) => [now],
  },
  {
    // Past: the session's booking closed (bookable_until), or the slot itself has started.
    // In SQL the slot's start is compared as Shanghai wall-clock: the start has whole seconds,
    // so "start > now" is "start > now truncated to the second", and Shanghai keeps one offset
    // all year (time/shanghai.ts), so wall-clock order is instant order.
    refusal: 'SLOT_PAST',
    holds: (facts, now) => now < facts.bookable_until && now < shanghaiToInstant(facts.session_date, facts.start_time),
    sql: 'cs.bookable_until > ? AND (cs.session_date, s.start_time) > (?, ?)',
    parameters: (now) => [now, shanghaiDate(now), shanghaiTime(now)],
  },
  {
    refusal: 'SLOT_FULL',
    holds: (facts) => facts.remaining > 0,
    sql: 's.remaining > 0',
    parameters: none,
    slotOnly: true,
  },
];

/** Why the slot cannot be booked at `now`; undefined when it can. */
export function slotRefusal(facts: SlotFacts, now: Date): SlotRefusal | undefined {
  return BOOKABLE.find((condition) => !condition.holds(facts, now))?.refusal;
}

/**
 * The WHERE condition of the statement that takes a place, from `BOOKABLE`: the slot's own
 * conditions on the slot row `s`, then an EXISTS over its session, doctor, department and 大科
 * for the rest — a locking read of those rows inside an UPDATE, so it sees a suspension, a later
 * release or a deactivation that committed while the UPDATE waited for the slot row. Compiled
 * once (the statement stays precompiled); `parameters(now)` gives its placeholders' values.
 */
export function bookableCondition(): { sql: string; parameters(now: Date): unknown[] } {
  const onSlot = BOOKABLE.filter((condition) => condition.slotOnly);
  const onSession = BOOKABLE.filter((condition) => !condition.slotOnly);
  const ordered = [...onSlot, ...onSession];
  const sql = `${onSlot.map((condition) => condition.sql).join(' AND ')}
     AND EXISTS (SELECT 1 FROM clinic_session cs
                   JOIN doctor d ON d.id = cs.doctor_id
                   JOIN department dep ON dep.id = cs.department_id
                   LEFT JOIN department par ON par.id = dep.parent_id
                  WHERE cs.id = s.session_id
                    AND ${onSession.map((condition) => condition.sql).join('\n                    AND ')})`;
  return { sql, parameters: (now) => ordered.flatMap((condition) => condition.parameters(now)) };
}
