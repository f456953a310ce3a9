/**
 * bench/lambda-bundles.ts — what a cold start of each Lambda function costs before its handler runs:
 * the size of the zip Lambda downloads and the time Node takes to import the bundled handler.
 *
 *   npm run bench:lambda                        # osls package (into .serverless/), then measure
 *   npm run bench:lambda -- --existing          # measure the artifacts already in .serverless/
 *   npm run bench:lambda -- --runs 21 --dir /tmp/pkg
 *   npm run bench:lambda -- --baseline /tmp/before   # also another commit's package, in the same rounds
 *
 * Each zip is extracted into a directory with no node_modules above it, as on Lambda. Every
 * measurement is a fresh `node` process that imports one handler module with that function's
 * environment from the packaged CloudFormation template (secrets, which AWS resolves at deploy,
 * replaced by well-formed dummies; nothing connects anywhere at import). A bare `node -e ''` runs
 * in the same rounds, interleaved, so the machine's noise hits every column alike. Printed per
 * function, medians of `--runs`: zip and bundle size, the import measured inside the process
 * (`await import(handler)`), the import plus the first request handled (for an HTTP function: one
 * synthetic API Gateway v2 event through the handler, so work deferred from the import to the
 * first request is counted where a user feels it) and the whole process's wall time, each also
 * over the bare start's time (the ratios hold better than milliseconds on a machine shared with
 * other work). The CPU columns are the process's CPU time (all its threads, user + system) over
 * the same spans, beside the whole CPU time of the bare start: on a loaded machine a process
 * waits for a core, which adds to its wall time but not to its CPU time. The Lambda runtime's own start (its bootstrap, before our module) is not in
 * these figures.
 * When it packages, it also prints what each bundle is made of (from esbuild's metafiles,
 * bytes of minified output per package or source folder), the place to look when a zip grows.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readZip } from '../tests/deploy/read-zip.js';

const { values: args } = parseArgs({
  options: {
    existing: { type: 'boolean', default: false },
    dir: { type: 'string', default: '.serverless' },
    runs: { type: 'string', default: '11' },
    baseline: { type: 'string' },
  },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const packageDir = resolve(root, args.dir);
const runs = Number(args.runs);
// Our own serverless-esbuild work folder, kept for its metafiles (serverless.yml), removed below.
const workFolder = `.esbuild/bench-${process.pid}`;

if (!args.existing) {
  console.log(`osls package --package ${args.dir} …`);
  const started = performance.now();
  const packaged = spawnSync(join(root, 'node_modules/.bin/osls'), ['package', '--package', packageDir], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ESBUILD_WORK_FOLDER: workFolder, ESBUILD_KEEP_OUTPUT: 'true' },
  });
  if (packaged.status !== 0) process.exit(packaged.status ?? 1);
  console.log(`packaged in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

interface Bundle {
  name: string;
  /** From `--baseline`: measured, but esbuild's metafiles are not at hand. */
  baseline: boolean;
  module: string;
  /** The request its first invocation answers (HTTP functions only), and the status expected. */
  probe?: { path: string; status: number };
  zipBytes: number;
  bundleBytes: number;
  handlerUrl: string;
  env: Record<string, string>;
}

const extractDir = mkdtempSync(join(tmpdir(), 'bx87h9-bench-lambda-'));
type PackagedFunction = { handler: string; environment?: Record<string, string>; events?: { httpApi?: { path: string } }[] };

/** The functions packaged in `dir`, extracted; `label` (the baseline's) is added to their names. */
function loadBundles(dir: string, label?: string): Bundle[] {
  const state = JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8'));
  return Object.entries(state.service.functions as Record<string, PackagedFunction>).map(([name, fn]) => {
    const zip = join(dir, `${name}.zip`);
    const files = readZip(zip);
    const folder = join(extractDir, label ?? 'measured', name);
    for (const [path, data] of files) {
      const target = join(folder, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
    }
    const module = `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.mjs`;
    return {
      name: label ? `${name} (${label})` : name,
      baseline: label !== undefined,
      module,
      probe: probeFor(fn),
      zipBytes: statSync(zip).size,
      bundleBytes: files.get(module)?.length ?? 0,
      handlerUrl: pathToFileURL(join(folder, module)).href,
      env: lambdaEnvironment({ ...state.service.provider.environment, ...fn.environment }),
    };
  });
}

// A baseline's functions (another commit's package) run in the same rounds, so the load hits both alike.
const bundles: Bundle[] = [...loadBundles(packageDir), ...(args.baseline ? loadBundles(resolve(root, args.baseline), 'baseline') : [])];

/**
 * A request every HTTP function can answer without a database or a login: the health check
 * (503 here, nothing listens at DATABASE_HOST) where the function serves it, else the first GET
 * of its own paths without a token (401 before any query). Scheduled jobs get none.
 */
function probeFor(fn: PackagedFunction): Bundle['probe'] {
  const paths = (fn.events ?? []).flatMap((e) => (e.httpApi ? [e.httpApi.path] : []));
  if (paths.length === 0) return undefined;
  const serves = (path: string) => paths.some((p) => p === path || (p.endsWith('/{proxy+}') && path.startsWith(p.slice(0, -'{proxy+}'.length))));
  if (serves('/api/v1/health')) return { path: '/api/v1/health', status: 503 };
  const own = ['/api/v1/admin/users', '/api/v1/doctor/profile'].find(serves);
  if (!own) throw new Error(`no probe request for a function serving ${paths.join(', ')}`);
  return { path: own, status: 401 };
}

/** A minimal API Gateway HTTP API (payload 2.0) GET, as serverless-http reads it. */
function httpApiEvent(path: string) {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'bench.execute-api.ap-southeast-1.amazonaws.com', 'user-agent': 'bench', 'x-forwarded-for': '203.0.113.7' },
    requestContext: {
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bench' },
      requestId: 'bench',
      routeKey: '$default',
      stage: '$default',
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
}

/**
 * The function's environment as Lambda would set it, with each `{{resolve:secretsmanager:…:KEY}}`
 * replaced by a dummy of the right shape (the configuration is validated at import).
 */
function lambdaEnvironment(declared: Record<string, string>): Record<string, string> {
  const dummies: Record<string, string> = {
    JWT_SECRET: randomBytes(48).toString('base64'),
    FIELD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SMS_HTTP_URL: 'https://sms.invalid/send',
    // Nothing listens there: the first request's query (GET /health) fails at once, with the
    // driver's fetch loaded and the 503 answered as in an outage, but no network wait measured.
    DATABASE_HOST: '127.0.0.1:9',
  };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) {
    const secret = /^\{\{resolve:secretsmanager:[^}]*:SecretString:([A-Z0-9_]+)\}\}$/.exec(String(value))?.[1];
    env[name] = secret ? (dummies[secret] ?? `bench-${secret.toLowerCase()}`) : String(value);
  }
  // Production refuses the simulated payment provider until a real one exists: measure the
  // deployed rehearsal (staging), which imports exactly the same code.
  if (env.APP_ENV === 'production') env.APP_ENV = 'staging';
  return env;
}

/** The environment of a measured process: PATH and the function's variables, nothing of ours. */
function processEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', ...extra };
}

/**
 * One fresh process importing the handler and, for an HTTP function, handling its probe request;
 * returns its wall time and the times it measured from before the import. The figures go to
 * stderr (the function's log lines go to stdout).
 */
function coldStart(bundle: Bundle): { wallMs: number; importMs: number; firstMs?: number; importCpuMs: number; firstCpuMs?: number } {
  const script = [
    'const [url, event] = process.argv.slice(1);',
    'const cpu = () => { const u = process.cpuUsage(c); return (u.user + u.system) / 1000; };',
    'const c = process.cpuUsage(); const t = performance.now();',
    'const m = await import(url); const imported = performance.now() - t; const importedCpu = cpu();',
    'let first, firstCpu, status;',
    'if (event) { const r = await m.handler(JSON.parse(event), { awsRequestId: "bench", getRemainingTimeInMillis: () => 10000 }); first = performance.now() - t; firstCpu = cpu(); status = r.statusCode; }',
    'process.stderr.write("\\nbench " + JSON.stringify({ imported, importedCpu, first, firstCpu, status }) + "\\n"); process.exit(0);',
  ].join('\n');
  const started = process.hrtime.bigint();
  const event = bundle.probe ? [JSON.stringify(httpApiEvent(bundle.probe.path))] : [];
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, bundle.handlerUrl, ...event], {
    env: processEnv(bundle.env),
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const line = /^bench (.*)$/m.exec(child.stderr)?.[1];
  if (child.status !== 0 || !line) throw new Error(`${bundle.name}: cold start failed\n${child.stderr}`);
  const { imported, importedCpu, first, firstCpu, status } = JSON.parse(line) as {
    imported: number;
    importedCpu: number;
    first?: number;
    firstCpu?: number;
    status?: number;
  };
  if (bundle.probe && status !== bundle.probe.status) {
    throw new Error(`${bundle.name}: GET ${bundle.probe.path} answered ${status}, expected ${bundle.probe.status}\n${child.stdout}`);
  }
  return { wallMs, importMs: imported, firstMs: first, importCpuMs: importedCpu, firstCpuMs: firstCpu };
}

/** `node -e ''`'s wall time; and, in a second process, the CPU time a start takes up to its script. */
function bareStart(): { wallMs: number; cpuMs: number } {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['-e', ''], { env: processEnv() });
  if (child.status !== 0) throw new Error('node -e "" failed');
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = spawnSync(process.execPath, ['-e', 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000))'], {
    env: processEnv(),
    encoding: 'utf8',
  });
  return { wallMs, cpuMs: Number(cpu.stdout) };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Bytes of the bundle by npm package (or folder of functions/src), largest first. */
function composition(bundle: Bundle): string | undefined {
  if (bundle.baseline) return undefined;
  const metafile = join(root, workFolder, '.build', bundle.module.replace(/\.mjs$/, '-meta.json'));
  if (!existsSync(metafile)) return undefined;
  const outputs = JSON.parse(readFileSync(metafile, 'utf8')).outputs as Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  const bytes = new Map<string, number>();
  const [, output] = Object.entries(outputs).find(([path]) => path.endsWith('.mjs'))!;
  for (const [path, input] of Object.entries(output.inputs)) {
    const parts = path.split('/');
    const key = parts[0] === 'node_modules' ? parts.slice(1, parts[1]!.startsWith('@') ? 3 : 2).join('/') : parts.slice(0, 3).join('/');
    bytes.set(key, (bytes.get(key) ?? 0) + input.bytesInOutput);
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([key, size]) => `${key} ${(size / 1024).toFixed(0)}`)
    .join(', ');
}

try {
  for (const bundle of bundles) {
    const parts = composition(bundle);
    if (parts) console.log(`${bundle.name} (KiB): ${parts}`);
  }
  console.log();

  const bare: number[] = [];
  const bareCpu: number[] = [];
  const measured = new Map(
    bundles.map((b) => [b.name, { wall: [] as number[], imports: [] as number[], first: [] as number[], importsCpu: [] as number[], firstCpu: [] as number[] }]),
  );
  for (const bundle of bundles) coldStart(bundle); // the first spawn pays for the page cache; not counted
  for (let round = 0; round < runs; round += 1) {
    const { wallMs, cpuMs } = bareStart();
    bare.push(wallMs);
    bareCpu.push(cpuMs);
    for (const bundle of bundles) {
      const { wallMs, importMs, firstMs, importCpuMs, firstCpuMs } = coldStart(bundle);
      const m = measured.get(bundle.name)!;
      m.wall.push(wallMs);
      m.imports.push(importMs);
      m.importsCpu.push(importCpuMs);
      if (firstMs !== undefined) m.first.push(firstMs);
      if (firstCpuMs !== undefined) m.firstCpu.push(firstCpuMs);
    }
  }

  const bareMs = median(bare);
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  const rows = [
    ['function', 'zip', 'bundle', 'import', 'import ÷ bare', '+ 1st request', '÷ bare', 'CPU import', 'CPU + 1st', 'probe', 'process', 'process ÷ bare'],
    ["node -e ''", '', '', '', '', '', '', '', `${median(bareCpu).toFixed(0)} ms`, '', `${bareMs.toFixed(0)} ms`, '1.0'],
    ...bundles.map((b) => {
      const m = measured.get(b.name)!;
      const imported = median(m.imports);
      const first = m.first.length > 0 ? median(m.first) : undefined;
      const wall = median(m.wall);
      return [
        b.name,
        kib(b.zipBytes),
        kib(b.bundleBytes),
        `${imported.toFixed(0)} ms`,
        (imported / bareMs).toFixed(2),
        first === undefined ? '' : `${first.toFixed(0)} ms`,
        first === undefined ? '' : (first / bareMs).toFixed(2),
        `${median(m.importsCpu).toFixed(0)} ms`,
        m.firstCpu.length > 0 ? `${median(m.firstCpu).toFixed(0)} ms` : '',
        b.probe ? `GET ${b.probe.path.replace('/api/v1', '')} ${b.probe.status}` : '',
        `${wall.toFixed(0)} ms`,
        (wall / bareMs).toFixed(2),
      ];
    }),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  console.log(`Node ${process.version}, ${runs} runs each, medians, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('import = await import(handler) inside the process; + 1st request = the same plus the probe request handled;');
  console.log("CPU = the process's CPU time over those spans (the bare row: a whole start's)");
  for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
} finally {
  rmSync(extractDir, { recursive: true, force: true });
  rmSync(join(root, workFolder), { recursive: true, force: true });
}
