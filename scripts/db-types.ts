/**
 * Regenerates functions/src/db/schema.ts (Kysely's `DB` types) from schema.sql:
 * migrates a scratch database on the test instance and runs kysely-codegen against it.
 *   npm run db:types            rewrite the file
 *   npm run db:types -- --verify   exit non-zero if the committed file has drifted
 */
import { execFileSync } from 'node:child_process';
import { createConnection } from 'mysql2/promise';
import { createDb } from '../functions/src/db/create-db.js';
import { migrate } from '../functions/src/db/migrate.js';

const root = new URL('..', import.meta.url).pathname;
const serverUrl = execFileSync('bash', [`${root}scripts/db.sh`, 'start', 'test'], { encoding: 'utf8' }).trim();
const url = new URL(serverUrl);
const scratch = `bx87h9_codegen_${process.pid}`;
url.pathname = `/${scratch}`;

const admin = await createConnection(serverUrl);
await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
await admin.query(`CREATE DATABASE ${scratch}`);
const db = createDb({ kind: 'mysql', url: url.toString(), poolSize: 1 });
try {
  await migrate(db);
  execFileSync(
    'npx',
    [
      'kysely-codegen',
      '--dialect', 'mysql',
      '--url', url.toString(),
      // DATE columns are Shanghai calendar dates, returned as strings (see create-db.ts).
      '--type-mapping', JSON.stringify({ date: 'string' }),
      '--out-file', 'functions/src/db/schema.ts',
      ...(process.argv.includes('--verify') ? ['--verify'] : []),
    ],
    { cwd: root, stdio: 'inherit' },
  );
} finally {
  await db.destroy();
  await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
  await admin.end();
}
