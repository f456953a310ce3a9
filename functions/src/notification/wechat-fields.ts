/**
 * WeChat subscription-message field values (订阅消息模板参数). WeChat refuses a whole message
 * whose value breaks its field type's limit, so every value is fitted here before sending:
 * free text is shortened (the patient still gets the message; the full text is in the in-app
 * inbox), and values that cannot be shortened meaningfully (a time, an amount) are validated.
 *
 * Limits, from WeChat's documentation of subscription-message parameter types:
 *   thing            ≤ 20 characters (汉字, letters, digits, symbols)
 *   phrase           ≤ 5 汉字, nothing else
 *   name             ≤ 10 characters
 *   character_string ≤ 32 letters, digits and ASCII symbols
 *   number           ≤ 32 digits (may carry a decimal point)
 *   time             a date with a time, e.g. 2026年11月30日 08:30 or 2026-11-30 08:30
 *   date             a date, optionally with a time
 *   amount           one currency sign, ≤ 10 digits with decimals, optionally 元 at the end
 *   phone_number     ≤ 17 digits and + - symbols
 */

export type WechatFieldType = 'thing' | 'phrase' | 'name' | 'character_string' | 'number' | 'time' | 'date' | 'amount' | 'phone_number';

/** Thrown for a value of a type that cannot be shortened: a bug in a template, not user input. */
export class WechatFieldError extends Error {}

const TIME = /^\d{4}(年\d{1,2}月\d{1,2}日|-\d{2}-\d{2}) \d{2}:\d{2}(:\d{2})?$/;
const DATE = /^\d{4}(年\d{1,2}月\d{1,2}日|-\d{2}-\d{2})( \d{2}:\d{2}(:\d{2})?)?$/;
const AMOUNT = /^[¥￥$]?\d{1,10}(\.\d{1,2})?元?$/;
const NUMBER = /^\d{1,32}(\.\d+)?$/;
const PHONE = /^[\d+-]{1,17}$/;

/** `value` cut to `max` characters (code points, so an emoji or rare 汉字 is never split), marked with …. */
function shorten(value: string, max: number): string {
  const chars = [...value.trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** The value WeChat accepts for a field of `type`, shortened where the type allows. */
export function fitWechatField(type: WechatFieldType, value: string): string {
  switch (type) {
    case 'thing':
      return shorten(value, 20);
    case 'name':
      return shorten(value, 10);
    case 'phrase': {
      // Only 汉字: a phrase is a status word (已取消, 停诊); no ellipsis, it would not be a 汉字.
      const han = [...value.trim()];
      if (han.length === 0 || han.some((c) => !/\p{Script=Han}/u.test(c))) throw new WechatFieldError(`phrase must be 汉字 only: ${value}`);
      return han.slice(0, 5).join('');
    }
    case 'character_string': {
      const ascii = value.trim();
      if (!/^[\x21-\x7e]+$/.test(ascii)) throw new WechatFieldError(`character_string must be letters, digits or symbols: ${value}`);
      return ascii.slice(0, 32);
    }
    case 'number':
      if (!NUMBER.test(value)) throw new WechatFieldError(`not a number field: ${value}`);
      return value;
    case 'time':
      if (!TIME.test(value)) throw new WechatFieldError(`not a time field: ${value}`);
      return value;
    case 'date':
      if (!DATE.test(value)) throw new WechatFieldError(`not a date field: ${value}`);
      return value;
    case 'amount':
      if (!AMOUNT.test(value)) throw new WechatFieldError(`not an amount field: ${value}`);
      return value;
    case 'phone_number':
      if (!PHONE.test(value)) throw new WechatFieldError(`not a phone_number field: ${value}`);
      return value;
  }
}

/** A subscription message's data, `{ thing1: { value } }`, as WeChat's API takes it. */
export type WechatData = Record<string, { value: string }>;

/** Fits every field of a template's mapping: keys are WeChat's field names (`thing1`, `time2`…). */
export function wechatData(fields: Record<string, string>): WechatData {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => {
      const type = key.replace(/\d+$/, '') as WechatFieldType;
      return [key, { value: fitWechatField(type, value) }];
    }),
  );
}
