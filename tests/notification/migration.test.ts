/**
 * Upgrade 0002-notification-outbox.sql: a database with the notification table of before the
 * outbox keeps its rows and ends with the same notification columns and indexes as a fresh one,
 * also when an earlier run was cut off after some of its statements (db/pending-ddl.ts resumes).
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createDb, type Db } from '../../functions/src/db/create-db.js';
import { migrate, splitStatements } from '../../functions/src/db/migrate.js';
import { createDatabase } from '../support/database.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of cleanup) await drop();
});
async function migrated(): Promise<Db> {
  const database = await createDatabase('mig');
  const db = createDb({ kind: 'mysql', url: database.url, poolSize: 2 });
  cleanup.push(async () => {
    await db.destroy();
    await database.drop();
  });
  await migrate(db);
  return db;
}

async function notificationShape(db: Db) {
  const columns = await sql`
    SELECT column_name, ordinal_position, column_type, is_nullable, column_default FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'notification' ORDER BY ordinal_position`.execute(db);
  const indexes = await sql`
    SELECT index_name, non_unique, seq_in_index, column_name FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'notification' ORDER BY index_name, seq_in_index`.execute(db);
  return { columns: columns.rows, indexes: indexes.rows };
}

it('brings the old notification table to the outbox shape, keeping its rows, after a run cut off half-way', async () => {
  const fresh = await migrated();
  const old = await migrated();
  await sql`ALTER TABLE notification DROP KEY uq_notification_dedupe, DROP KEY ix_notification_inbox, DROP KEY ix_notification_claim,
    DROP COLUMN dedupe_key, DROP COLUMN urgent, DROP COLUMN channel_choice, DROP COLUMN claim_token, DROP COLUMN claimed_until,
    DROP COLUMN appointment_id, DROP COLUMN read_at`.execute(old);
  await sql`INSERT INTO notification (channel, recipient, template, payload, status, attempts, send_after, created_at)
    VALUES ('sms', '13900000000', 'session_suspended', '{}', 'pending', 0, NOW(3), NOW(3))`.execute(old);
  await old.deleteFrom('schema_migration').where('name', '=', '0002-notification-outbox.sql').execute();

  // A deploy killed after the first 4 statements of the file.
  const file = await readFile(new URL('../../functions/src/db/migrations/0002-notification-outbox.sql', import.meta.url), 'utf8');
  for (const statement of splitStatements(file).slice(0, 4)) await sql.raw(statement).execute(old);

  expect((await migrate(old)).appliedUpgrades).toEqual(['0002-notification-outbox.sql']);
  expect((await migrate(old)).appliedUpgrades).toEqual([]);

  expect(await notificationShape(old)).toEqual(await notificationShape(fresh));
  const kept = await old.selectFrom('notification').select(['template', 'urgent', 'channel_choice', 'dedupe_key']).execute();
  expect(kept).toEqual([{ template: 'session_suspended', urgent: 0, channel_choice: 'fixed', dedupe_key: null }]);
});
