/**
 * The API server of bench/booking-burst.ts, run in a child process so that the load generator
 * and the server do not share one event loop: the real listener (bootstrap.ts) over mysql2 or,
 * with `driver: 'planetscale'`, over the PlanetScale HTTP driver through the test shim with a
 * simulated round trip per statement.
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { createDeps, createListener } from '../functions/src/bootstrap.js';
import { loadConfig } from '../functions/src/config.js';
import { createPlanetScaleShim } from '../tests/support/planetscale-shim.js';

export interface BenchServerOptions {
  databaseUrl: string;
  driver: 'mysql2' | 'planetscale';
  poolSize: number;
  roundTripMs: number;
  /** pino level; the bench passes 'info' (production's), its stdout going to /dev/null. */
  logLevel?: string;
}

const options = JSON.parse(process.env.BENCH_SERVER_OPTIONS ?? '{}') as BenchServerOptions;
let config = loadConfig({
  APP_ENV: 'development',
  DATABASE_URL: options.databaseUrl,
  DATABASE_POOL_SIZE: String(options.poolSize),
  LOG_LEVEL: options.logLevel ?? 'info',
});
const shim =
  options.driver === 'planetscale'
    ? createPlanetScaleShim(options.databaseUrl, { poolSize: options.poolSize, roundTripMs: options.roundTripMs })
    : undefined;
if (shim) config = { ...config, database: { kind: 'planetscale', ...shim.credentials, fetch: shim.fetch } };
const deps = createDeps(config);
// Response-schema validation is for tests (tests/support/app.ts); production never runs it.
const server = createServer({ keepAliveTimeout: 60_000 }, createListener(deps, { validateResponses: false }));
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));

// `--cpu-prof DIR` of the bench: the V8 sampling profiler, started and stopped around a phase.
let profiler: Session | undefined;

process.on('message', async (message) => {
  if (typeof message === 'object' && message !== null && 'profile' in message) {
    const { profile, file } = message as { profile: 'start' | 'stop'; file?: string };
    if (profile === 'start') {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
      await profiler.post('Profiler.start');
    } else if (profiler) {
      const { profile: data } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      if (file) await writeFile(file, JSON.stringify(data));
    }
    process.send?.({ profiled: profile });
    return;
  }
  // CPU time the server has used so far, so the bench can divide a phase's share by its requests.
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMs: (user + system) / 1000 });
    return;
  }
  if (message !== 'close') return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await deps.db.destroy();
  await shim?.close();
  process.exit(0);
});
