/**
 * "Bookable", once (bookability.ts): each condition refuses with its own answer, in order, at the
 * exact instant it starts to hold — whatever the server's TZ (explicit instants; each case runs
 * under New York and Auckland, whose offsets straddle Shanghai's and the date line).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BOOKABLE, bookableCondition, slotRefusal, type SlotFacts } from './bookability.js';

// 2026-12-07 09:00 in Shanghai.
const NOW = new Date('2026-12-07T01:00:00Z');

const bookable: SlotFacts = {
  doctor_available: 1,
  status: 'open',
  release_at: new Date('2026-11-30T23:30:00Z'), // 07:30 Shanghai a week earlier
  bookable_until: new Date('2026-12-07T07:00:00Z'), // 15:00 Shanghai
  session_date: '2026-12-07',
  start_time: '14:00:00',
  remaining: 3,
};

const originalTz = process.env.TZ;
afterAll(() => {
  process.env.TZ = originalTz;
});

describe.each(['America/New_York', 'Pacific/Auckland'])('slotRefusal under TZ=%s', (tz) => {
  const at = (facts: Partial<SlotFacts>, now = NOW) => {
    process.env.TZ = tz;
    return slotRefusal({ ...bookable, ...facts }, now);
  };

  it('a released, open, not started slot with a place of an available doctor can be booked', () => {
    expect(at({})).toBeUndefined();
  });

  it('each condition alone refuses with its own answer', () => {
    expect(at({ doctor_available: 0 })).toBe('DOCTOR_UNAVAILABLE');
    expect(at({ doctor_available: '0' })).toBe('DOCTOR_UNAVAILABLE');
    expect(at({ doctor_available: '1' })).toBeUndefined();
    expect(at({ status: 'suspended' })).toBe('SESSION_SUSPENDED');
    expect(at({ release_at: new Date('2026-12-07T01:00:00.001Z') })).toBe('SLOT_NOT_RELEASED');
    expect(at({ start_time: '09:00:00' })).toBe('SLOT_PAST');
    expect(at({ bookable_until: NOW })).toBe('SLOT_PAST');
    expect(at({ remaining: 0 })).toBe('SLOT_FULL');
  });

  it('the release and the close are instants: released at release_at, closed at bookable_until and at the slot’s start (Shanghai wall-clock)', () => {
    expect(at({ release_at: NOW })).toBeUndefined();
    // A slot at 16:00 of a session whose booking closes at 15:00 Shanghai = 07:00Z.
    expect(at({ start_time: '16:00:00' }, new Date('2026-12-07T06:59:59.999Z'))).toBeUndefined();
    expect(at({ start_time: '16:00:00' }, new Date('2026-12-07T07:00:00Z'))).toBe('SLOT_PAST');
    // Booking open until 15:00, the slot starts at 14:00 Shanghai = 06:00Z.
    expect(at({}, new Date('2026-12-07T05:59:59.999Z'))).toBeUndefined();
    expect(at({}, new Date('2026-12-07T06:00:00Z'))).toBe('SLOT_PAST');
    // 00:30 Shanghai on the 7th is still the 6th in UTC and in New York, already the 7th's afternoon in Auckland.
    expect(at({ start_time: '00:30:00', release_at: new Date('2026-12-01T00:00:00Z') }, new Date('2026-12-06T16:29:59Z'))).toBeUndefined();
    expect(at({ start_time: '00:30:00', release_at: new Date('2026-12-01T00:00:00Z') }, new Date('2026-12-06T16:30:00Z'))).toBe('SLOT_PAST');
  });

  it('the first condition failed is the answer: unavailable, suspended, not released, past, full', () => {
    const everything: Partial<SlotFacts> = { doctor_available: 0, status: 'suspended', release_at: new Date('2026-12-08T00:00:00Z'), start_time: '08:00:00', remaining: 0 };
    expect(at(everything)).toBe('DOCTOR_UNAVAILABLE');
    expect(at({ ...everything, doctor_available: 1 })).toBe('SESSION_SUSPENDED');
    expect(at({ ...everything, doctor_available: 1, status: 'open' })).toBe('SLOT_NOT_RELEASED');
    expect(at({ ...everything, doctor_available: 1, status: 'open', release_at: NOW })).toBe('SLOT_PAST');
    expect(at({ ...everything, doctor_available: 1, status: 'open', release_at: NOW, start_time: '10:00:00' })).toBe('SLOT_FULL');
  });
});

describe('the SQL condition of the UPDATE that takes a place', () => {
  it('has every condition, and a value for each placeholder in order', () => {
    const condition = bookableCondition();
    for (const { sql } of BOOKABLE) expect(condition.sql).toContain(sql);
    expect(condition.parameters(NOW)).toEqual([NOW, NOW, '2026-12-07', '09:00:00']);
    expect(condition.sql.split('?').length - 1).toBe(condition.parameters(NOW).length);
  });

  it('compares the slot’s start with now truncated to the second, Shanghai wall-clock', () => {
    expect(bookableCondition().parameters(new Date('2026-12-06T16:29:59.999Z')).slice(2)).toEqual(['2026-12-07', '00:29:59']);
  });
});
