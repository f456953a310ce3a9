import { describe, expect, it } from 'vitest';
import { periodOf, planSlots } from './slot-plan.js';

describe('planSlots', () => {
  it('cuts a morning into 30-minute slots with consecutive queue-number ranges', () => {
    const slots = planSlots('08:00:00', '10:00:00', 30, 4)!;
    expect(slots.map((s) => [s.startTime, s.endTime, s.seqStart, s.seqCount])).toEqual([
      ['08:00:00', '08:30:00', 1, 4],
      ['08:30:00', '09:00:00', 5, 4],
      ['09:00:00', '09:30:00', 9, 4],
      ['09:30:00', '10:00:00', 13, 4],
    ]);
  });

  it('drops a trailing piece shorter than a slot and continues numbering from firstSeq', () => {
    const slots = planSlots('14:30', '17:45', 60, 5, 21)!;
    expect(slots.map((s) => s.startTime)).toEqual(['14:30:00', '15:30:00', '16:30:00']);
    expect(slots[0]!.seqStart).toBe(21);
  });

  it('refuses times that make no slot, and sessions beyond three-digit numbers', () => {
    expect(planSlots('10:00', '10:20', 30, 4)).toBeUndefined();
    expect(planSlots('10:00', '09:00', 30, 4)).toBeUndefined();
    expect(planSlots('08:00', '12:00', 15, 0)).toBeUndefined();
    expect(planSlots('00:00', '23:59', 1, 10)).toBeUndefined();
  });

  it('names the half-day', () => {
    expect([periodOf('08:00'), periodOf('13:30'), periodOf('18:30')]).toEqual(['morning', 'afternoon', 'evening']);
  });
});
