/**
 * Idempotent migration step. `schema.sql` (repository root) is the source of truth and
 * contains only `CREATE TABLE IF NOT EXISTS`, so applying it creates whatever tables are
 * missing and leaves existing ones and their rows alone. Changes to existing tables are
 * numbered upgrade files in ./migrations/, each applied once and recorded in schema_migration.
 * A fresh database gets the final shape from schema.sql, so its upgrade files are recorded
 * as applied without running.
 *
 * A file is recorded only after all its statements ran, but each DDL statement commits on its
 * own: a file that failed half-way (a duplicate in the data, a lost connection, a killed
 * process) has already applied its first statements. So every statement is checked against
 * information_schema first (`pendingDdl`) and only what is still missing runs: running the
 * migration again finishes the file.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './create-db.js';
import { pendingDdl } from './pending-ddl.js';

const schemaFile = new URL('../../../schema.sql', import.meta.url);
const defaultMigrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface MigrationReport {
  fresh: boolean;
  createdTables: string[];
  appliedUpgrades: string[];
}

/** Splits a SQL file into statements; our SQL files have no semicolons inside literals. */
export function splitStatements(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

async function tableNames(db: Db): Promise<Set<string>> {
  const result = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()`.execute(db);
  return new Set(result.rows.map((r) => r.name));
}

/** Brings the database to schema.sql's shape; `migrationsDir` (tests only) replaces ./migrations/. */
export async function migrate(db: Db, migrationsDir: string = defaultMigrationsDir): Promise<MigrationReport> {
  const before = await tableNames(db);
  const fresh = before.size === 0;

  for (const statement of splitStatements(await readFile(schemaFile, 'utf8'))) {
    await sql.raw(statement).execute(db);
  }
  const after = await tableNames(db);
  const createdTables = [...after].filter((t) => !before.has(t)).sort();

  const files = (await readdir(migrationsDir)).filter((f) => /^\d{4}-.+\.sql$/.test(f)).sort();
  const done = new Set((await db.selectFrom('schema_migration').select('name').execute()).map((r) => r.name));
  const appliedUpgrades: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    if (!fresh) {
      for (const statement of splitStatements(await readFile(join(migrationsDir, file), 'utf8'))) {
        const pending = await pendingDdl(db, statement);
        if (pending) await sql.raw(pending).execute(db);
      }
      appliedUpgrades.push(file);
    }
    await db.insertInto('schema_migration').values({ name: file, applied_at: new Date() }).execute();
  }
  return { fresh, createdTables, appliedUpgrades };
}
