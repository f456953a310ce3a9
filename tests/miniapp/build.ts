/**
 * Builds the patient app for a target with the package's own script (`npm run build:<target>
 * -w miniapp`), exactly as a developer or `npm start` would. Tests build rather than trust an
 * existing dist/, which may be stale.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const MINIAPP_DIST = path.join(REPO_ROOT, 'miniapp/dist');

export async function buildMiniapp(target: 'h5' | 'weapp'): Promise<{ seconds: number }> {
  const started = Date.now();
  await promisify(execFile)('npm', ['run', `build:${target}`, '-w', 'miniapp'], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { seconds: (Date.now() - started) / 1000 };
}
