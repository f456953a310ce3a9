/**
 * The migration step on real databases: an empty one gets every table of schema.sql; an
 * existing one keeps its rows, gains what is missing, and runs each upgrade file exactly once,
 * ending with the same information_schema as a fresh database. Also checks that the schema
 * stays valid for PlanetScale (Vitess).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../functions/src/db/create-db.js';
import { migrate } from '../../functions/src/db/migrate.js';
import { createDatabase } from '../support/database.js';
import { openDb } from '../support/drivers.js';

const schemaText = await readFile(new URL('../../schema.sql', import.meta.url), 'utf8');
const schemaTables = [...schemaText.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]!).sort();
const at = new Date('2026-11-24T23:30:00.123Z');

/** Empty databases made by a test, dropped at the end of the file. */
const cleanup: (() => Promise<void>)[] = [];
async function emptyDatabase(): Promise<{ db: Db; url: string; name: string }> {
  const database = await createDatabase('mig');
  const db = createDb({ kind: 'mysql', url: database.url, poolSize: 2 });
  cleanup.push(async () => {
    await db.destroy();
    await database.drop();
  });
  return { db, url: database.url, name: database.name };
}

let noUpgrades: string;
let withUpgrade: string;
const upgradeFile = '0001-department-location.sql';
beforeAll(async () => {
  noUpgrades = await mkdtemp(join(tmpdir(), 'bx87h9-migrations-'));
  withUpgrade = await mkdtemp(join(tmpdir(), 'bx87h9-migrations-'));
  // What a real upgrade file looks like: schema.sql already shows the final shape of the table.
  await writeFile(
    join(withUpgrade, upgradeFile),
    `-- department gains a location and an index on (parent_id, sort_order)
ALTER TABLE department ADD COLUMN location VARCHAR(100) NULL AFTER intro;
ALTER TABLE department ADD KEY ix_department_parent (parent_id, sort_order);
`,
  );
  await writeFile(join(withUpgrade, 'README.md'), 'not an upgrade file');
});
afterAll(async () => {
  for (const drop of cleanup) await drop();
  await rm(noUpgrades, { recursive: true, force: true });
  await rm(withUpgrade, { recursive: true, force: true });
});

async function tables(db: Db): Promise<string[]> {
  const result = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1`.execute(db);
  return result.rows.map((r) => r.name);
}

async function insertDepartment(db: Db, code: string) {
  await db.insertInto('department').values({ code, name: '骨科', sort_order: 3, created_at: at, updated_at: at }).execute();
}

async function departmentCodes(db: Db): Promise<string[]> {
  return (await db.selectFrom('department').select('code').orderBy('code').execute()).map((r) => r.code);
}

/** Everything about the shape of the current database that a migration could get wrong. */
async function shape(db: Db) {
  const query = async (text: ReturnType<typeof sql.raw>) => (await text.execute(db)).rows;
  return {
    tables: await query(sql.raw(`
      SELECT table_name, engine, table_collation, create_options FROM information_schema.tables
      WHERE table_schema = DATABASE() ORDER BY table_name`)),
    columns: await query(sql.raw(`
      SELECT table_name, column_name, ordinal_position, column_type, is_nullable, column_default, extra,
             character_set_name, collation_name, generation_expression
      FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`)),
    indexes: await query(sql.raw(`
      SELECT table_name, index_name, non_unique, seq_in_index, column_name, sub_part, index_type
      FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY table_name, index_name, seq_in_index`)),
    checks: await query(sql.raw(`
      SELECT constraint_name, check_clause FROM information_schema.check_constraints
      WHERE constraint_schema = DATABASE() ORDER BY constraint_name`)),
  };
}

describe('migrate', () => {
  it('creates every table of schema.sql in an empty database', async () => {
    const { db } = await emptyDatabase();
    const report = await migrate(db, noUpgrades);
    expect(report).toEqual({ fresh: true, createdTables: schemaTables, appliedUpgrades: [] });
    expect(await tables(db)).toEqual(schemaTables);
    expect(schemaTables).toContain('appointment');
    expect(schemaTables.length).toBeGreaterThanOrEqual(17);
  });

  it('is idempotent: a second run creates nothing and keeps every row', async () => {
    const { db } = await emptyDatabase();
    await migrate(db, noUpgrades);
    await insertDepartment(db, 'GK');
    const before = await shape(db);
    expect(await migrate(db, noUpgrades)).toEqual({ fresh: false, createdTables: [], appliedUpgrades: [] });
    expect(await departmentCodes(db)).toEqual(['GK']);
    expect(await shape(db)).toEqual(before);
  });

  it('adds a missing table to an existing database and keeps its rows', async () => {
    const { db } = await emptyDatabase();
    await migrate(db, noUpgrades);
    await insertDepartment(db, 'GK');
    await sql`DROP TABLE waitlist_entry`.execute(db);
    const report = await migrate(db, noUpgrades);
    expect(report).toEqual({ fresh: false, createdTables: ['waitlist_entry'], appliedUpgrades: [] });
    expect(await tables(db)).toEqual(schemaTables);
    expect(await departmentCodes(db)).toEqual(['GK']);
  });

  it('runs an upgrade file once on an existing database, and records it unrun on a fresh one; both end identical', async () => {
    // An existing database from before the upgrade: department without location and the index.
    const old = await emptyDatabase();
    await migrate(old.db, noUpgrades);
    await sql`ALTER TABLE department DROP KEY ix_department_parent, DROP COLUMN location`.execute(old.db);
    await insertDepartment(old.db, 'GK');
    await insertDepartment(old.db, 'EK');

    const upgraded = await migrate(old.db, withUpgrade);
    expect(upgraded).toEqual({ fresh: false, createdTables: [], appliedUpgrades: [upgradeFile] });
    expect(await departmentCodes(old.db)).toEqual(['EK', 'GK']);
    const again = await migrate(old.db, withUpgrade);
    expect(again.appliedUpgrades).toEqual([]);

    const fresh = await emptyDatabase();
    // Had the file run here, adding a column that schema.sql already created would have failed.
    expect(await migrate(fresh.db, withUpgrade)).toEqual({ fresh: true, createdTables: schemaTables, appliedUpgrades: [] });
    for (const db of [old.db, fresh.db]) {
      const recorded = await db.selectFrom('schema_migration').select(['name', 'applied_at']).execute();
      expect(recorded.map((r) => r.name)).toEqual([upgradeFile]);
      expect(recorded[0]?.applied_at).toBeInstanceOf(Date);
    }
    expect(await shape(old.db)).toEqual(await shape(fresh.db));
  });

  it('resumes an upgrade interrupted half-way: the DDL that already ran (and autocommitted) is not run again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bx87h9-migrations-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = '0002-department-location-and-unique-code.sql';
    await writeFile(
      join(dir, file),
      `-- department gains a location, an index, and a unique code
ALTER TABLE department ADD COLUMN location VARCHAR(100) NULL AFTER intro;
ALTER TABLE department ADD KEY ix_department_parent (parent_id, sort_order);
ALTER TABLE department ADD UNIQUE KEY uq_department_code (code);
`,
    );
    const old = await emptyDatabase();
    await migrate(old.db, noUpgrades);
    await sql`ALTER TABLE department DROP KEY ix_department_parent, DROP KEY uq_department_code, DROP COLUMN location`.execute(old.db);
    await insertDepartment(old.db, 'GK');
    await insertDepartment(old.db, 'GK'); // a duplicate the old schema allowed: the third statement fails

    const interrupted = await migrate(old.db, dir).catch((e: unknown) => e);
    expect(interrupted).toBeInstanceOf(Error);
    expect(String((interrupted as Error).message)).toMatch(/Duplicate entry/);
    // The first two statements ran and committed; the file is not recorded as applied.
    expect(await old.db.selectFrom('schema_migration').select('name').execute()).toEqual([]);

    // The operator repairs the data and runs the migration again: it finishes the file.
    await sql`UPDATE department SET code = 'GK2' WHERE id = (SELECT id FROM (SELECT MAX(id) AS id FROM department) AS d)`.execute(old.db);
    expect(await migrate(old.db, dir)).toEqual({ fresh: false, createdTables: [], appliedUpgrades: [file] });
    expect(await departmentCodes(old.db)).toEqual(['GK', 'GK2']);
    expect((await old.db.selectFrom('schema_migration').select('name').execute()).map((r) => r.name)).toEqual([file]);
    expect(await migrate(old.db, dir)).toEqual({ fresh: false, createdTables: [], appliedUpgrades: [] });

    const fresh = await emptyDatabase();
    await migrate(fresh.db, dir);
    expect(await shape(old.db)).toEqual(await shape(fresh.db));
  });

  it('runs only the clauses of an ALTER TABLE that are not yet applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bx87h9-migrations-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = '0003-department-location-and-index.sql';
    await writeFile(
      join(dir, file),
      `ALTER TABLE department
  ADD COLUMN location VARCHAR(100) NULL AFTER intro,
  ADD KEY ix_department_parent (parent_id, sort_order);
`,
    );
    const old = await emptyDatabase();
    await migrate(old.db, noUpgrades);
    // Half there already (e.g. applied by hand during an incident): the column, not the index.
    await sql`ALTER TABLE department DROP KEY ix_department_parent`.execute(old.db);
    expect(await migrate(old.db, dir)).toEqual({ fresh: false, createdTables: [], appliedUpgrades: [file] });
    const fresh = await emptyDatabase();
    await migrate(fresh.db, dir);
    expect(await shape(old.db)).toEqual(await shape(fresh.db));
  });

  it('works the same through the PlanetScale driver', async () => {
    const viaMysql2 = await emptyDatabase();
    await migrate(viaMysql2.db, noUpgrades);
    const target = await emptyDatabase();
    const planetscale = openDb('planetscale', target.url, { poolSize: 2 });
    try {
      expect(await migrate(planetscale.db, withUpgrade)).toEqual({ fresh: true, createdTables: schemaTables, appliedUpgrades: [] });
    } finally {
      await planetscale.close();
    }
    expect(await shape(target.db)).toEqual(await shape(viaMysql2.db));
  });
});

describe('schema.sql stays valid for PlanetScale', () => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await emptyDatabase());
    await migrate(db, noUpgrades);
  });

  it('every table is InnoDB, utf8mb4 and has a primary key', async () => {
    const { rows } = await sql<{ name: string; engine: string; collation: string; primaryKeys: number }>`
      SELECT t.table_name AS name, t.engine, t.table_collation AS collation,
             (SELECT COUNT(*) FROM information_schema.table_constraints c
               WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                 AND c.constraint_type = 'PRIMARY KEY') AS primaryKeys
      FROM information_schema.tables t WHERE t.table_schema = DATABASE() ORDER BY 1`.execute(db);
    expect(rows.map((r) => r.name)).toEqual(schemaTables);
    for (const table of rows) {
      expect(table, table.name).toMatchObject({ engine: 'InnoDB', primaryKeys: 1 });
      expect(table.collation, table.name).toMatch(/^utf8mb4_/);
    }
    const { rows: otherCharsets } = await sql<{ table: string; column: string }>`
      SELECT table_name AS \`table\`, column_name AS \`column\` FROM information_schema.columns
      WHERE table_schema = DATABASE() AND character_set_name IS NOT NULL AND character_set_name <> 'utf8mb4'`.execute(db);
    expect(otherCharsets).toEqual([]);
  });

  it('has no foreign keys, triggers, procedures, functions or events', async () => {
    const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(db)).rows[0]?.n;
    expect(await count(sql`SELECT COUNT(*) AS n FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE()`)).toBe(0);
    expect(await count(sql`SELECT COUNT(*) AS n FROM information_schema.triggers WHERE trigger_schema = DATABASE()`)).toBe(0);
    expect(await count(sql`SELECT COUNT(*) AS n FROM information_schema.routines WHERE routine_schema = DATABASE()`)).toBe(0);
    expect(await count(sql`SELECT COUNT(*) AS n FROM information_schema.events WHERE event_schema = DATABASE()`)).toBe(0);
    expect(schemaText).not.toMatch(/\b(FOREIGN KEY|REFERENCES|CREATE TRIGGER|CREATE PROCEDURE|CREATE FUNCTION)\b/i);
  });

  it('names no collation that only one of MariaDB and MySQL 8 knows', () => {
    expect(schemaText).not.toMatch(/utf8mb4_0900|utf8mb4_uca1400/i);
  });
});
