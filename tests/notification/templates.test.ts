/**
 * Message templates and WeChat's field limits (no database), and quiet hours as a time test
 * under server time zones far from Shanghai: the rules must not depend on the server's TZ.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWechatDevChannel } from '../../functions/src/notification/channels.js';
import { inQuietHours, quietHoursEnd } from '../../functions/src/notification/quiet-hours.js';
import { renderTemplate, templateNames, templates } from '../../functions/src/notification/templates.js';
import { fitWechatField, WechatFieldError } from '../../functions/src/notification/wechat-fields.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';

const visit = { orderNo: 'NY20261130000001', patientName: '欧阳娜娜', departmentName: '心血管内科（老年病专科门诊）', doctorName: '司马长风', visitTime: '2026-11-30 08:30' };
const sample: { [K in keyof typeof templates]: Parameters<(typeof templates)[K]['text']>[0] } = {
  booking_confirmed: visit,
  payment_due: { ...visit, payBy: '2026-11-29 20:15' },
  hold_expired: visit,
  appointment_cancelled: { ...visit, by: 'admin', reason: '医生临时参加全院危重病人抢救会诊，无法按时出诊' },
  refund_made: { orderNo: visit.orderNo, amountFen: 1250 },
  session_suspended: { ...visit, reason: '外出会诊', paid: true },
  doctor_substituted: { ...visit, newDoctorName: '李四' },
  waitlist_offer: { ...visit, payBy: '2026-11-29 20:15' },
  waitlist_closed: { patientName: '欧阳娜娜', departmentName: '心血管内科', doctorName: '张三', sessionLabel: '2026-11-30 上午' },
  ban_applied: { noShows: 3, until: '2026-12-30' },
  visit_reminder_day_before: { ...visit, cancelBy: '2026-11-29 16:00' },
  visit_reminder_soon: visit,
};

describe('WeChat field limits', () => {
  it('shortens thing to 20 characters and name to 10, counting code points', () => {
    expect(fitWechatField('thing', '一二三四五六七八九十一二三四五六七八九十')).toBe('一二三四五六七八九十一二三四五六七八九十');
    expect(fitWechatField('thing', '一二三四五六七八九十一二三四五六七八九十一')).toBe('一二三四五六七八九十一二三四五六七八九…');
    expect([...fitWechatField('thing', '𠀀'.repeat(30))]).toHaveLength(20);
    expect(fitWechatField('name', '阿卜杜热合曼·买买提明江')).toBe('阿卜杜热合曼·买买…');
  });
  it('keeps a phrase to 5 汉字 and refuses anything else in it', () => {
    expect(fitWechatField('phrase', '预约成功了吗呀')).toBe('预约成功了');
    expect(() => fitWechatField('phrase', '已取消!')).toThrow(WechatFieldError);
  });
  it('cuts character_string at 32 and validates time, amount, date', () => {
    expect(fitWechatField('character_string', 'A'.repeat(40))).toBe('A'.repeat(32));
    expect(() => fitWechatField('character_string', '订单1')).toThrow(WechatFieldError);
    expect(fitWechatField('time', '2026-11-30 08:30')).toBe('2026-11-30 08:30');
    expect(() => fitWechatField('time', '明天上午')).toThrow(WechatFieldError);
    expect(fitWechatField('amount', '12.50元')).toBe('12.50元');
    expect(() => fitWechatField('amount', '十二元')).toThrow(WechatFieldError);
    expect(fitWechatField('date', '2026-12-30')).toBe('2026-12-30');
  });
  it('every template renders with long values into fields WeChat accepts, and Chinese text with the signature', async () => {
    expect(Object.keys(sample).sort()).toEqual([...templateNames].sort());
    const wechat = createWechatDevChannel();
    for (const name of templateNames) {
      const rendered = renderTemplate(name, sample[name] as never);
      expect(rendered.sms.startsWith('【南阳市第二人民医院】')).toBe(true);
      expect(rendered.text).toMatch(/\p{Script=Han}/u);
      await wechat.send({ id: 1, dedupeKey: name, template: name, userId: 1, recipient: '1', text: rendered.text, wechat: rendered.wechat });
      for (const [key, { value }] of Object.entries(rendered.wechat)) {
        if (key.startsWith('thing')) expect([...value].length).toBeLessThanOrEqual(20);
        if (key.startsWith('phrase')) expect(value).toMatch(/^\p{Script=Han}{1,5}$/u);
        if (key.startsWith('character_string')) expect(value.length).toBeLessThanOrEqual(32);
      }
    }
    expect(renderTemplate('appointment_cancelled', sample.appointment_cancelled).wechat.thing6!.value).toBe('医生临时参加全院危重病人抢救会诊，无法…');
    expect(renderTemplate('refund_made', sample.refund_made).text).toContain('12.50 元');
  });
  it('the dev provider refuses a field over its limit, as WeChat would', async () => {
    await expect(createWechatDevChannel().send({ id: 1, dedupeKey: 'k', template: 't', userId: 1, recipient: '1', text: '', wechat: { thing1: { value: '一'.repeat(21) } } })).rejects.toThrow(/over its limit/);
  });
});

describe.each(['America/New_York', 'Pacific/Auckland'])('quiet hours with the server in %s', (tz) => {
  const original = process.env.TZ;
  afterEach(() => {
    process.env.TZ = original;
  });
  it('are 22:00–07:00 Shanghai, and end at the next 07:00 Shanghai', () => {
    process.env.TZ = tz;
    expect(inQuietHours(shanghaiToInstant('2026-11-30', '21:59:59'))).toBe(false);
    expect(inQuietHours(shanghaiToInstant('2026-11-30', '22:00'))).toBe(true);
    expect(inQuietHours(shanghaiToInstant('2026-12-01', '06:59:59'))).toBe(true);
    expect(inQuietHours(shanghaiToInstant('2026-12-01', '07:00'))).toBe(false);
    // Across a month end and Auckland's / New York's own DST dates, both evening and early morning.
    expect(quietHoursEnd(shanghaiToInstant('2026-11-30', '23:30')).toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(quietHoursEnd(shanghaiToInstant('2026-12-01', '01:30')).toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(quietHoursEnd(shanghaiToInstant('2026-03-08', '22:10')).toISOString()).toBe('2026-03-08T23:00:00.000Z');
    expect(quietHoursEnd(shanghaiToInstant('2026-04-05', '05:00')).toISOString()).toBe('2026-04-04T23:00:00.000Z');
  });
});
