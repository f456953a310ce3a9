/**
 * zod schemas of the API's shared field types (ids, Shanghai dates and times, money), used by
 * several domains' query and body schemas and their routes; owned by the domain, not by http/.
 */
import * as z from 'zod';

/**
 * An id in a path or query string: decimal digits only (z.coerce.number would also take
 * `0x10`, `1e2` or ` 7`, so one resource would answer to several spellings).
 */
export const idSchema = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, '编号格式不正确')
  .transform(Number)
  .meta({ description: '编号（正整数）' });

export const idParams = z.strictObject({ id: idSchema });

/** A calendar date in Shanghai. */
export const localDateSchema = z.iso.date().meta({ description: '北京时间日期 YYYY-MM-DD' });

/** A wall-clock time in Shanghai, accepted as HH:MM or HH:MM:SS and normalised to HH:MM:SS. */
export const localTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, '时间格式为 HH:MM')
  .transform((t) => (t.length === 5 ? `${t}:00` : t))
  .meta({ description: '北京时间 HH:MM 或 HH:MM:SS' });

/** Money in fen (分): 0 to ¥10,000. */
export const feeFenSchema = z.number().int().min(0).max(1_000_000).meta({ description: '金额，单位：分' });

export const okSchema = z.object({ ok: z.literal(true) });
