/**
 * `npm test` on a fresh Debian machine installs what the browser tests need, as `npm start` does
 * for MariaDB (scripts/browser.sh, called first by scripts/test.sh). Nothing is uninstalled here:
 * the "missing" machine is this one with CHROMIUM_PATH pointing nowhere and `dpkg`, `id`, `sudo`,
 * `apt-get` and `npx` replaced on PATH by scripts that record their calls.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
let bin: string;
let calls: string;

/** A fake command on PATH that appends `name args…` to the calls log, then runs `body`. */
function fake(name: string, body = 'exit 0') {
  const file = path.join(bin, name);
  writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> "${calls}"\n${body}\n`);
  chmodSync(file, 0o755);
}

function loggedCalls(): string[] {
  return existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [];
}

/** Runs `bash <script> args` on a machine without Chromium or CJK fonts; resolves to its outcome. */
async function onBareMachine(script: string, args: string[]) {
  const chromium = path.join(bin, 'installed/chromium');
  try {
    const { stdout, stderr } = await run('bash', [script, ...args], {
      cwd: root,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CHROMIUM_PATH: chromium },
    });
    return { code: 0, stdout, stderr, chromium };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, chromium };
  }
}

/** apt-get that "installs" Chromium by creating CHROMIUM_PATH, and dpkg that knows the fonts only after. */
function aptThatInstalls() {
  fake('apt-get', `[ "$1" = install ] && mkdir -p "$(dirname "$CHROMIUM_PATH")" && printf '#!/bin/sh\\n' > "$CHROMIUM_PATH" && chmod +x "$CHROMIUM_PATH" && touch "${bin}/fonts"; exit 0`);
  fake('dpkg', `[ -e "${bin}/fonts" ]`);
}

beforeEach(() => {
  bin = mkdtempSync(path.join(tmpdir(), 'bx-browser-'));
  calls = path.join(bin, 'calls.log');
  fake('npx'); // scripts/test.sh must not reach the type check or vitest
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

describe('scripts/browser.sh', () => {
  it('does nothing when Chromium and the CJK fonts are there (this machine)', async () => {
    const { stdout, stderr } = await run('bash', ['scripts/browser.sh', 'install'], { cwd: root });
    expect({ stdout, stderr }).toEqual({ stdout: '', stderr: '' });
  });

  it('as a user without sudo: installs nothing and prints the one apt-get line, exit 1', async () => {
    fake('id', 'echo 1000');
    fake('sudo', 'exit 1');
    aptThatInstalls();
    const out = await onBareMachine('scripts/browser.sh', ['install']);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      'The browser tests need chromium fonts-noto-cjk. Install with: sudo apt-get install -y --no-install-recommends chromium fonts-noto-cjk\n',
    );
    expect(loggedCalls().filter((c) => c.startsWith('apt-get'))).toEqual([]);
  });

  it('as root: installs the missing packages from Debian, non-interactively, without recommends', async () => {
    fake('id', 'echo 0');
    aptThatInstalls();
    const out = await onBareMachine('scripts/browser.sh', ['install']);
    expect(out.code).toBe(0);
    expect(loggedCalls().filter((c) => c.startsWith('apt-get'))).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk',
    ]);
  });

  it('with passwordless sudo: installs through sudo, only what is missing', async () => {
    fake('id', 'echo 1000');
    fake('sudo', '[ "$1" = -n ] && exit 0; exec "$@"');
    aptThatInstalls();
    writeFileSync(path.join(bin, 'fonts'), ''); // the fonts are there already
    const out = await onBareMachine('scripts/browser.sh', ['install']);
    expect(out.code).toBe(0);
    expect(loggedCalls().filter((c) => !c.startsWith('dpkg') && !c.startsWith('id'))).toEqual([
      'sudo -n true',
      'sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq',
      'apt-get update -qq',
      'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium',
      'apt-get install -y -qq --no-install-recommends chromium',
    ]);
  });

  it('fails when apt-get did not provide the browser tests expect', async () => {
    fake('id', 'echo 0');
    fake('apt-get');
    fake('dpkg');
    const out = await onBareMachine('scripts/browser.sh', ['install']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`Still missing after apt-get: chromium (is CHROMIUM_PATH=${out.chromium} right?)`);
  });
});

describe('npm test (scripts/test.sh)', () => {
  it('stops before running anything, with the apt-get line, when the browser is missing and it cannot install', async () => {
    fake('id', 'echo 1000');
    fake('sudo', 'exit 1');
    fake('dpkg');
    const out = await onBareMachine('scripts/test.sh', []);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('Install with: sudo apt-get install -y --no-install-recommends chromium\n');
    expect(loggedCalls().filter((c) => c.startsWith('npx'))).toEqual([]);
  });

  it('as root installs them first, then runs the suite', async () => {
    fake('id', 'echo 0');
    aptThatInstalls();
    const out = await onBareMachine('scripts/test.sh', ['tests/none']);
    expect(out.code).toBe(0);
    expect(loggedCalls().filter((c) => c.startsWith('apt-get') || c.startsWith('npx'))).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk',
      'npx tsc -p tsconfig.json',
      'npx tsc -p miniapp/tsconfig.json',
      'npx tsc -p admin/tsconfig.json',
      'npx tsx scripts/db-types.ts --verify',
      'npx tsx scripts/api-types.ts --verify',
      'npx vitest run tests/none',
    ]);
  });
});
