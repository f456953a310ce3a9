/**
 * The table of appointment transitions (transitions.ts) says what DESIGN §2 says: who may move
 * an appointment where, which moves give the place back and which move money. The paths that
 * use it are tested in tests/booking (cancel, expire, suspend) and tests/payment.
 */
import { describe, expect, it } from 'vitest';
import { canMove, fromStatuses, TRANSITIONS, type TransitionName } from './transitions.js';

const summary = (name: TransitionName) => {
  const { from, to, by, returnsPlace, money } = TRANSITIONS[name];
  return `${from.join('|')} → ${to} by ${by.join('|')}${returnsPlace ? ', returns the place' : ''}${money === 'none' ? '' : `, ${money}`}`;
};

describe('appointment transitions', () => {
  it('are the table of DESIGN §2', () => {
    expect(Object.fromEntries((Object.keys(TRANSITIONS) as TransitionName[]).map((name) => [name, summary(name)]))).toEqual({
      pay: 'pending_payment → booked by patient, charge',
      expire: 'pending_payment → expired by system, returns the place',
      cancel: 'pending_payment|booked → cancelled by patient, returns the place, refund',
      adminCancel: 'pending_payment|booked|checked_in → cancelled by admin, returns the place, refund',
      suspend: 'pending_payment|booked → cancelled by doctor|admin, returns the place, refund',
      checkIn: 'booked|passed → checked_in by patient|doctor|admin',
      call: 'checked_in → called by doctor',
      recall: 'called → called by doctor',
      pass: 'called → passed by doctor',
      startVisit: 'called → in_visit by doctor',
      complete: 'in_visit → completed by doctor',
      noShow: 'booked|passed → no_show by system',
    });
  });

  it('return a place exactly when they leave the statuses that hold one before the visit', () => {
    const returning = (Object.keys(TRANSITIONS) as TransitionName[]).filter((name) => TRANSITIONS[name].returnsPlace);
    expect(returning).toEqual(['expire', 'cancel', 'adminCancel', 'suspend']);
    for (const name of returning) expect(['cancelled', 'expired']).toContain(TRANSITIONS[name].to);
  });

  it('only the system expires holds and marks no-shows; patients never move a visit on', () => {
    expect(TRANSITIONS.expire.by).toEqual(['system']);
    expect(TRANSITIONS.noShow.by).toEqual(['system']);
    for (const name of ['call', 'recall', 'pass', 'startVisit', 'complete'] as const) expect(TRANSITIONS[name].by).not.toContain('patient');
  });

  it('answer which stored statuses a transition moves from', () => {
    expect(fromStatuses('cancel')).toEqual(['pending_payment', 'booked']);
    expect(fromStatuses('pay')).toEqual(['pending_payment']);
    // appointmentStatuses' order: the visit statuses were appended after no_show.
    expect(fromStatuses('noShow')).toEqual(['booked', 'passed']);
    expect(fromStatuses('checkIn')).toEqual(['booked', 'passed']);
    expect(canMove('cancel', 'booked')).toBe(true);
    expect(canMove('cancel', 'checked_in')).toBe(false);
    expect(canMove('cancel', 'cancelled')).toBe(false);
    expect(canMove('pay', 'expired')).toBe(false);
    // A checked-in patient not yet called may still be cancelled by the hospital, not by themself.
    expect(fromStatuses('adminCancel')).toEqual(['pending_payment', 'booked', 'checked_in']);
    expect(canMove('adminCancel', 'completed')).toBe(false);
  });
});
