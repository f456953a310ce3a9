import { describe, expect, it } from 'vitest';
import { isValidIdNumber, maskIdNumber, normaliseIdNumber, parseResidentId, residentIdCheckChar } from './id-document.js';
import { decryptField, encryptField, fieldHash } from './personal-data.js';

/** Builds a valid resident ID from its first 17 digits. */
const withCheck = (first17: string) => first17 + residentIdCheckChar(first17);

describe('resident ID (居民身份证)', () => {
  it('accepts the GB 11643 example and derives birth date and gender', () => {
    expect(parseResidentId('11010519491231002X')).toEqual({ birthDate: '1949-12-31', gender: 'female' });
    expect(parseResidentId(withCheck('41130219850317001'))).toEqual({ birthDate: '1985-03-17', gender: 'male' });
  });

  it('refuses a wrong check character, an impossible date and bad formats', () => {
    const valid = withCheck('41130220000229003');
    expect(parseResidentId(valid)?.birthDate).toBe('2000-02-29');
    const wrongCheck = valid.slice(0, 17) + (valid[17] === '1' ? '2' : '1');
    expect(parseResidentId(wrongCheck)).toBeUndefined();
    expect(parseResidentId(withCheck('41130219990229003'))).toBeUndefined(); // 1999 is no leap year
    expect(parseResidentId(withCheck('41130218000101003'))).toBeUndefined();
    expect(parseResidentId('4113021985031700')).toBeUndefined();
    expect(parseResidentId('41130219850317001x')).toBeUndefined(); // normalise first
    expect(isValidIdNumber('resident_id', normaliseIdNumber(' 11010519491231002x '))).toBe(true);
  });
});

describe('other documents', () => {
  it('checks each format', () => {
    expect(isValidIdNumber('passport', 'E12345678')).toBe(true);
    expect(isValidIdNumber('passport', 'E1')).toBe(false);
    expect(isValidIdNumber('hk_macao_permit', 'H12345678')).toBe(true);
    expect(isValidIdNumber('hk_macao_permit', 'X12345678')).toBe(false);
    expect(isValidIdNumber('taiwan_permit', '12345678')).toBe(true);
    expect(isValidIdNumber('foreign_permanent', 'USA110012345678')).toBe(true);
  });
});

describe('masking and encryption', () => {
  it('masks all but the region prefix and the last four', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110***********002X');
    expect(maskIdNumber('E12345678')).toBe('E****5678');
  });

  it('encrypts with a fresh IV, decrypts, and detects tampering', () => {
    const key = Buffer.alloc(32, 7);
    const a = encryptField(key, '11010519491231002X');
    const b = encryptField(key, '11010519491231002X');
    expect(a).not.toBe(b);
    expect(a).not.toContain('1101051949');
    expect(decryptField(key, a)).toBe('11010519491231002X');
    const [v, iv, tag, data] = a.split(':');
    const flipped = Buffer.from(data!, 'base64');
    flipped[0]! ^= 1;
    expect(() => decryptField(key, [v, iv, tag, flipped.toString('base64')].join(':'))).toThrow();
    expect(fieldHash(key, 'x')).toBe(fieldHash(key, 'x'));
    expect(fieldHash(key, 'x')).not.toBe(fieldHash(Buffer.alloc(32, 8), 'x'));
  });
});
