import { cast, type Field } from '@planetscale/database';

/**
 * Converts PlanetScale's text-encoded values to the types mysql2 returns for our schema:
 * BIGINT/COUNT → number (PlanetScale sends strings), DECIMAL (SUM) → number,
 * DATETIME/TIMESTAMP → Date in UTC, DATE and TIME → string, binary strings → Buffer.
 * Everything else: the driver's cast.
 */
export function castPlanetScaleValue(field: Field, value: string | null): unknown {
  if (value == null) return value;
  switch (field.type) {
    case 'INT64':
    case 'UINT64':
    case 'DECIMAL':
      return Number(value);
    case 'DATETIME':
    case 'TIMESTAMP':
      // 'YYYY-MM-DD HH:MM:SS[.fff]' in UTC (the session time zone).
      return new Date(`${value.replace(' ', 'T')}Z`);
    default: {
      const converted = cast(field, value);
      // The driver gives binary strings as a plain Uint8Array; mysql2 as a Buffer.
      return converted instanceof Uint8Array ? Buffer.from(converted.buffer, converted.byteOffset, converted.byteLength) : converted;
    }
  }
}
