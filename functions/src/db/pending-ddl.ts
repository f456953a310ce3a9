/**
 * Makes an upgrade file's statements re-runnable. MySQL commits every DDL statement on its own,
 * so a file that failed half-way has already changed the schema: running it again from the top
 * would fail on its first statement ("Duplicate column name"). Before each statement runs, the
 * migration asks `pendingDdl`, which compares it with information_schema and returns only what
 * is still to do — the statement, the clauses of an ALTER TABLE not yet applied, or nothing.
 * MySQL 8 / PlanetScale has no `ADD COLUMN IF NOT EXISTS` (MariaDB does), hence the check here.
 *
 * Recognised, and skipped once applied: ALTER TABLE clauses ADD [COLUMN], ADD [UNIQUE] KEY|INDEX,
 * ADD CONSTRAINT, ADD PRIMARY KEY, DROP [COLUMN], DROP KEY|INDEX, DROP CONSTRAINT|CHECK,
 * RENAME COLUMN|KEY|INDEX, CHANGE [COLUMN] old new; CREATE [UNIQUE] INDEX, DROP INDEX … ON,
 * CREATE TABLE, DROP TABLE, RENAME TABLE. Anything else (MODIFY, CHANGE without a rename,
 * UPDATE backfills…) runs again and must be idempotent as written (see migrations/README.md).
 */
import { sql } from 'kysely';
import type { Db } from './create-db.js';

interface TableShape {
  exists: boolean;
  columns: Set<string>;
  indexes: Set<string>;
  constraints: Set<string>;
}

const IDENT = '`?(\\w+)`?';

async function tableShape(db: Db, table: string): Promise<TableShape> {
  const names = async (query: ReturnType<typeof sql<{ name: string }>>) =>
    new Set((await query.execute(db)).rows.map((r) => String(r.name).toLowerCase()));
  const tables = await names(sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ${table}`);
  if (tables.size === 0) return { exists: false, columns: new Set(), indexes: new Set(), constraints: new Set() };
  return {
    exists: true,
    columns: await names(sql<{ name: string }>`
      SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ${table}`),
    indexes: await names(sql<{ name: string }>`
      SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ${table}`),
    constraints: await names(sql<{ name: string }>`
      SELECT constraint_name AS name FROM information_schema.table_constraints WHERE table_schema = DATABASE() AND table_name = ${table}`),
  };
}

/** Splits an ALTER TABLE's clauses at top-level commas (not inside parentheses or quotes). */
export function splitClauses(text: string): string[] {
  const clauses: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      clauses.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  clauses.push(text.slice(start).trim());
  return clauses.filter(Boolean);
}

const has = (set: Set<string>, name: string | undefined) => name !== undefined && set.has(name.toLowerCase());

/** True when the clause's effect is already in the table; false when it must run (or cannot be told). */
function clauseApplied(clause: string, t: TableShape): boolean {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^ADD\\s+(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?(?:KEY|INDEX)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}`, 'i').exec(clause))) {
    return has(t.indexes, m[1]);
  }
  if (/^ADD\s+PRIMARY\s+KEY\b/i.test(clause)) return t.indexes.has('primary');
  if ((m = new RegExp(`^ADD\\s+CONSTRAINT\\s+${IDENT}`, 'i').exec(clause))) return has(t.constraints, m[1]);
  if ((m = new RegExp(`^ADD\\s+(?:COLUMN\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}`, 'i').exec(clause))) {
    if (/^(UNIQUE|KEY|INDEX|PRIMARY|CONSTRAINT|FULLTEXT|SPATIAL|FOREIGN|CHECK|PARTITION)$/i.test(m[1]!)) return false;
    return has(t.columns, m[1]);
  }
  if ((m = new RegExp(`^DROP\\s+(?:KEY|INDEX)\\s+(?:IF\\s+EXISTS\\s+)?${IDENT}`, 'i').exec(clause))) return !has(t.indexes, m[1]);
  if (/^DROP\s+PRIMARY\s+KEY\b/i.test(clause)) return !t.indexes.has('primary');
  if ((m = new RegExp(`^DROP\\s+(?:CONSTRAINT|CHECK)\\s+(?:IF\\s+EXISTS\\s+)?${IDENT}`, 'i').exec(clause))) return !has(t.constraints, m[1]);
  if ((m = new RegExp(`^DROP\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?${IDENT}\\s*$`, 'i').exec(clause))) {
    if (/^(FOREIGN|PARTITION)$/i.test(m[1]!)) return false;
    return !has(t.columns, m[1]);
  }
  if ((m = new RegExp(`^RENAME\\s+COLUMN\\s+${IDENT}\\s+TO\\s+${IDENT}`, 'i').exec(clause))) {
    return !has(t.columns, m[1]) && has(t.columns, m[2]);
  }
  if ((m = new RegExp(`^RENAME\\s+(?:KEY|INDEX)\\s+${IDENT}\\s+TO\\s+${IDENT}`, 'i').exec(clause))) {
    return !has(t.indexes, m[1]) && has(t.indexes, m[2]);
  }
  if ((m = new RegExp(`^CHANGE\\s+(?:COLUMN\\s+)?${IDENT}\\s+${IDENT}`, 'i').exec(clause))) {
    // A rename is done once the old name is gone; CHANGE to the same name is idempotent anyway.
    return m[1]!.toLowerCase() !== m[2]!.toLowerCase() && !has(t.columns, m[1]) && has(t.columns, m[2]);
  }
  return false;
}

/**
 * What of `statement` is still to run against the current schema: the statement itself, an
 * ALTER TABLE reduced to its pending clauses, or undefined when it is already applied.
 */
export async function pendingDdl(db: Db, statement: string): Promise<string | undefined> {
  const text = statement.trim();
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^ALTER\\s+TABLE\\s+${IDENT}\\s+([\\s\\S]+)$`, 'i').exec(text))) {
    const table = await tableShape(db, m[1]!);
    if (!table.exists) return text; // let MySQL say so
    const pending = splitClauses(m[2]!).filter((clause) => !clauseApplied(clause, table));
    if (pending.length === 0) return undefined;
    return `ALTER TABLE ${m[1]} ${pending.join(',\n  ')}`;
  }
  if ((m = new RegExp(`^CREATE\\s+(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?INDEX\\s+${IDENT}\\s+ON\\s+${IDENT}`, 'i').exec(text))) {
    return has((await tableShape(db, m[2]!)).indexes, m[1]) ? undefined : text;
  }
  if ((m = new RegExp(`^DROP\\s+INDEX\\s+${IDENT}\\s+ON\\s+${IDENT}`, 'i').exec(text))) {
    return has((await tableShape(db, m[2]!)).indexes, m[1]) ? text : undefined;
  }
  if ((m = new RegExp(`^CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}`, 'i').exec(text))) {
    return (await tableShape(db, m[1]!)).exists ? undefined : text;
  }
  if ((m = new RegExp(`^DROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?${IDENT}\\s*$`, 'i').exec(text))) {
    return (await tableShape(db, m[1]!)).exists ? text : undefined;
  }
  if ((m = new RegExp(`^RENAME\\s+TABLE\\s+${IDENT}\\s+TO\\s+${IDENT}\\s*$`, 'i').exec(text))) {
    const done = !(await tableShape(db, m[1]!)).exists && (await tableShape(db, m[2]!)).exists;
    return done ? undefined : text;
  }
  return text;
}
