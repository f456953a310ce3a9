import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isoWeekday, shanghaiDate, shanghaiTime, shanghaiToInstant } from './shanghai.js';

describe('the test process', () => {
  it('runs in a time zone that is neither UTC nor Asia/Shanghai (scripts/test.sh sets America/New_York)', () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(['UTC', 'Etc/UTC', 'GMT', 'Asia/Shanghai', 'Asia/Chongqing', 'PRC']).not.toContain(zone);
    // Whatever the zone is called, its offset must differ from both on a sample winter and summer day.
    for (const instant of [new Date('2026-01-15T12:00:00Z'), new Date('2026-07-15T12:00:00Z')]) {
      expect([0, -480]).not.toContain(instant.getTimezoneOffset());
    }
  });
});

describe('shanghaiDate and shanghaiTime', () => {
  it('roll over to the next Shanghai day at 16:00 UTC', () => {
    expect(shanghaiDate(new Date('2026-11-24T15:59:59.999Z'))).toBe('2026-11-24');
    expect(shanghaiTime(new Date('2026-11-24T15:59:59.999Z'))).toBe('23:59:59');
    expect(shanghaiDate(new Date('2026-11-24T16:00:00.000Z'))).toBe('2026-11-25');
    expect(shanghaiTime(new Date('2026-11-24T16:00:00.000Z'))).toBe('00:00:00');
  });

  it('put a late UTC evening on the next Shanghai date', () => {
    expect(shanghaiDate(new Date('2026-11-24T23:30:00Z'))).toBe('2026-11-25');
    expect(shanghaiTime(new Date('2026-11-24T23:30:00Z'))).toBe('07:30:00');
  });

  it('keep an early UTC morning on the same Shanghai date', () => {
    expect(shanghaiDate(new Date('2026-11-25T00:00:00Z'))).toBe('2026-11-25');
    expect(shanghaiTime(new Date('2026-11-25T00:00:00Z'))).toBe('08:00:00');
  });

  it('cross month and year ends', () => {
    expect(shanghaiDate(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
    expect(shanghaiDate(new Date('2028-02-28T16:30:00Z'))).toBe('2028-02-29');
  });

  it('ignore US daylight-saving changes of the process zone', () => {
    // 2026-03-08 and 2026-11-01 are the DST switches in America/New_York.
    expect(shanghaiDate(new Date('2026-03-08T07:00:00Z'))).toBe('2026-03-08');
    expect(shanghaiTime(new Date('2026-03-08T07:00:00Z'))).toBe('15:00:00');
    expect(shanghaiDate(new Date('2026-11-01T06:00:00Z'))).toBe('2026-11-01');
    expect(shanghaiTime(new Date('2026-11-01T06:00:00Z'))).toBe('14:00:00');
  });
});

describe('shanghaiToInstant', () => {
  it('puts the 07:30 release in Shanghai at 23:30 UTC the day before', () => {
    expect(shanghaiToInstant('2026-11-25', '07:30').toISOString()).toBe('2026-11-24T23:30:00.000Z');
  });

  it('maps Shanghai midnight to 16:00 UTC the day before, across a year end', () => {
    expect(shanghaiToInstant('2027-01-01', '00:00:00').toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('accepts HH:MM and HH:MM:SS, and round-trips with shanghaiDate / shanghaiTime', () => {
    const instant = shanghaiToInstant('2026-11-25', '14:05:09');
    expect(instant.toISOString()).toBe('2026-11-25T06:05:09.000Z');
    expect(shanghaiDate(instant)).toBe('2026-11-25');
    expect(shanghaiTime(instant)).toBe('14:05:09');
    expect(shanghaiToInstant('2026-11-25', '8:00').toISOString()).toBe('2026-11-25T00:00:00.000Z');
  });

  it('rejects an impossible date or time', () => {
    expect(() => shanghaiToInstant('2026-13-01', '08:00')).toThrow(RangeError);
    expect(() => shanghaiToInstant('2026-11-25', '25:00')).toThrow(RangeError);
  });
});

describe('calendar arithmetic', () => {
  it('addDays crosses month, year and leap-day boundaries', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-11-25', 7)).toBe('2026-12-02');
    expect(addDays('2026-11-25', 0)).toBe('2026-11-25');
  });

  it('addDays is not fooled by the process zone changing its clocks', () => {
    expect(addDays('2026-03-07', 1)).toBe('2026-03-08');
    expect(addDays('2026-03-08', 1)).toBe('2026-03-09');
    expect(addDays('2026-10-31', 2)).toBe('2026-11-02');
  });

  it('isoWeekday counts Monday as 1 and Sunday as 7', () => {
    expect(isoWeekday('2026-11-23')).toBe(1); // Monday
    expect(isoWeekday('2026-11-25')).toBe(3); // Wednesday
    expect(isoWeekday('2026-11-29')).toBe(7); // Sunday
    expect(isoWeekday('2027-01-01')).toBe(5); // Friday
  });

  it('the weekday of a late UTC evening is that of the next Shanghai day', () => {
    // Sunday 2026-11-29 23:30 UTC is Monday morning in Shanghai.
    expect(isoWeekday(shanghaiDate(new Date('2026-11-29T23:30:00Z')))).toBe(1);
  });

  it('daysBetween counts calendar days either way', () => {
    expect(daysBetween('2026-11-25', '2026-12-02')).toBe(7);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    expect(daysBetween('2026-11-25', '2026-11-18')).toBe(-7);
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2);
  });
});
