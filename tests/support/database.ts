/**
 * Real-database test support: every test file gets its own freshly migrated MariaDB database
 * on the project's throwaway test instance (scripts/db.sh start test, started once by
 * tests/global-setup.ts), so files run in parallel without seeing each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { createDb, type Db } from '../../functions/src/db/create-db.js';
import { migrate } from '../../functions/src/db/migrate.js';

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`');
  return url;
}

/** URL of the same server with another database name. */
export function databaseUrl(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createDatabase(prefix = 't'): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = await createConnection(serverUrl());
  try {
    await admin.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      const conn = await createConnection(serverUrl());
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

export interface TestDatabase {
  db: Db;
  url: string;
  name: string;
  close(): Promise<void>;
}

/** A new, migrated database with a Kysely client over mysql2. */
export async function migratedDatabase(poolSize = 20): Promise<TestDatabase> {
  const database = await createDatabase();
  const db = createDb({ kind: 'mysql', url: database.url, poolSize });
  await migrate(db);
  return {
    db,
    url: database.url,
    name: database.name,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}
