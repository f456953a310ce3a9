/**
 * Starts the project's throwaway MariaDB test instance (scripts/db.sh start test) once for
 * the whole run, unless TEST_DATABASE_URL points at a server already.
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (!process.env.TEST_DATABASE_URL) {
    const script = new URL('../scripts/db.sh', import.meta.url).pathname;
    process.env.TEST_DATABASE_URL = execFileSync('bash', [script, 'start', 'test'], { encoding: 'utf8' }).trim();
  }
}
