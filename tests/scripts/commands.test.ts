/**
 * The command-line entry points a newcomer and an operator use, run as real processes against a
 * fresh database: migrate, seed (the demo hospital), create-admin, and the generator job.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../functions/src/db/create-db.js';
import { createDatabase } from '../support/database.js';

const run = promisify(execFile);
let database: Awaited<ReturnType<typeof createDatabase>>;
let db: Db;

function command(script: string, args: string[] = [], env: Record<string, string> = {}) {
  return run('npx', ['tsx', `scripts/${script}.ts`, ...args], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn', ...env },
  });
}

beforeAll(async () => {
  database = await createDatabase('cmd');
  db = createDb({ kind: 'mysql', url: database.url, poolSize: 2 });
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

describe('commands', () => {
  it('migrate creates the schema, then finds nothing to do', async () => {
    expect((await command('migrate')).stdout).toMatch(/Created the schema \(\d+ tables\)/);
    expect((await command('migrate')).stdout).toContain('Schema up to date. New tables: none; upgrades applied: none.');
  });

  it('seed loads the demo hospital once', async () => {
    expect((await command('seed')).stdout).toMatch(/Loaded the demo hospital: \d+ departments, \d+ doctors\./);
    expect((await command('seed')).stdout).toContain('already has data');
    const doctors = await db.selectFrom('doctor').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(doctors.n)).toBeGreaterThan(20);
    const rule = await db.selectFrom('booking_rule').selectAll().where('department_id', 'is', null).executeTakeFirstOrThrow();
    expect(rule.release_time).toBe('07:30:00');
  });

  it('the generator job fills the coming weeks and is idempotent', async () => {
    const first = JSON.parse((await command('job', ['generate-sessions'])).stdout);
    expect(first.created).toBeGreaterThan(0);
    const second = JSON.parse((await command('job', ['generate-sessions'])).stdout);
    expect(second.created).toBe(0);
    await expect(command('job', ['no-such-job'])).rejects.toMatchObject({ code: 2 });
  });

  it('create-admin bootstraps an administrator (scrypt hash, audited), refusing a weak password and a taken phone', async () => {
    const out = await command('create-admin', ['--phone', '13955550001', '--name', '张主任'], { ADMIN_PASSWORD: 'Strong2026pass' });
    expect(out.stdout).toMatch(/Created admin #\d+ \(13955550001\)/);
    const admin = await db.selectFrom('user_account').select(['role', 'display_name', 'password_hash']).where('phone', '=', '13955550001').executeTakeFirstOrThrow();
    expect(admin).toMatchObject({ role: 'admin', display_name: '张主任' });
    expect(admin.password_hash.startsWith('scrypt$')).toBe(true);
    await expect(command('create-admin', ['--phone', '13955550002'], { ADMIN_PASSWORD: 'short' })).rejects.toMatchObject({ code: 2 });
    await expect(command('create-admin', ['--phone', '13955550001'], { ADMIN_PASSWORD: 'Strong2026pass' })).rejects.toMatchObject({ code: 1 });
    const audit = await db.selectFrom('audit_log').select(['action', 'actor_role']).where('action', '=', 'user.create').where('actor_role', '=', 'system').execute();
    expect(audit.length).toBeGreaterThan(0);
  });
});
