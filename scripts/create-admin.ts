/**
 * `npm run create-admin -- --phone 13912345678 --name 张主任`: bootstraps an administrator.
 * The password is read from ADMIN_PASSWORD, or asked for on the terminal (never an argument,
 * which would land in shell history). Later admins and doctors are created by an admin in
 * the console.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createStaffAccount } from '../functions/src/auth/staff-accounts.js';
import { passwordSchema, phoneSchema } from '../functions/src/auth/schemas.js';
import { migrate } from '../functions/src/db/migrate.js';
import { AppError } from '../functions/src/errors.js';
import { scriptDeps } from './lib.js';

const { values } = parseArgs({ options: { phone: { type: 'string' }, name: { type: 'string', default: '管理员' } } });
const phone = phoneSchema.safeParse(values.phone);
if (!phone.success) {
  console.error('Usage: npm run create-admin -- --phone <11-digit mobile> [--name <display name>]');
  process.exit(2);
}
let password = process.env.ADMIN_PASSWORD;
if (!password) {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  password = await rl.question('Password (8–64 characters, letters and digits): ');
  rl.close();
}
const checked = passwordSchema.safeParse(password);
if (!checked.success) {
  console.error(checked.error.issues.map((i) => i.message).join('; '));
  process.exit(2);
}

const deps = scriptDeps();
try {
  await migrate(deps.db);
  const account = await createStaffAccount(deps, 'system', { phone: phone.data, password: checked.data, role: 'admin', displayName: values.name! });
  console.log(`Created admin #${account.id} (${account.phone}).`);
} catch (error) {
  if (error instanceof AppError) {
    console.error(error.message);
    process.exitCode = 1;
  } else throw error;
} finally {
  await deps.db.destroy();
}
