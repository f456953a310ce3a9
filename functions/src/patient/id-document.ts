/**
 * Identity documents of a 就诊人: validation, what a resident ID tells us, and masked display.
 * The mainland 18-digit 居民身份证 (GB 11643-1999) is checked by its ISO 7064 MOD 11-2 check
 * character and its embedded birth date; other documents by their published formats.
 */
import type { LocalDate } from '../time/shanghai.js';

export type IdType = 'resident_id' | 'passport' | 'hk_macao_permit' | 'taiwan_permit' | 'foreign_permanent';

export const ID_TYPE_LABELS: Record<IdType, string> = {
  resident_id: '居民身份证',
  passport: '护照',
  hk_macao_permit: '港澳居民来往内地通行证',
  taiwan_permit: '台湾居民来往大陆通行证',
  foreign_permanent: '外国人永久居留身份证',
};

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

const FORMATS: Record<Exclude<IdType, 'resident_id'>, RegExp> = {
  passport: /^[A-Z0-9]{5,17}$/,
  hk_macao_permit: /^[HM]\d{8,10}$/,
  taiwan_permit: /^\d{8}$/,
  foreign_permanent: /^([A-Z]{3}\d{12}|9\d{17})$/,
};

export function normaliseIdNumber(value: string): string {
  return value.trim().replace(/\s+/g, '').toUpperCase();
}

/** The check character an 18-digit resident ID must end with, from its first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * WEIGHTS[i]!, 0);
  return CHECK_CHARS[sum % 11]!;
}

export interface ResidentIdFacts {
  birthDate: LocalDate;
  gender: 'male' | 'female';
}

/** Facts of a valid resident ID, or undefined when it is not one (format, date or check char). */
export function parseResidentId(id: string): ResidentIdFacts | undefined {
  if (!/^\d{17}[\dX]$/.test(id)) return undefined;
  if (residentIdCheckChar(id.slice(0, 17)) !== id[17]) return undefined;
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const parsed = new Date(`${birthDate}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== birthDate) return undefined;
  if (Number(id.slice(6, 10)) < 1900) return undefined;
  return { birthDate, gender: Number(id[16]) % 2 === 1 ? 'male' : 'female' };
}

export function isValidIdNumber(type: IdType, id: string): boolean {
  return type === 'resident_id' ? parseResidentId(id) !== undefined : FORMATS[type].test(id);
}

/** 411***********123X — enough for the owner to recognise the document, not to use it. */
export function maskIdNumber(id: string): string {
  if (id.length <= 4) return '*'.repeat(id.length);
  const head = id.length >= 15 ? 3 : 1;
  return id.slice(0, head) + '*'.repeat(id.length - head - 4) + id.slice(-4);
}
