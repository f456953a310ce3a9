/**
 * The API server of bench/booking-burst.ts, run in a child process so that the load generator
 * and the server do not share one event loop: the real listener (bootstrap.ts) over mysql2 or,
 * with `driver: 'planetscale'`, over the PlanetScale HTTP driver through the test shim with a
 * simulated round trip per statement.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDeps, createListener } from '../functions/src/bootstrap.js';
import { loadConfig } from '../functions/src/config.js';
import { createPlanetScaleShim } from '../tests/support/planetscale-shim.js';

export interface BenchServerOptions {
  databaseUrl: string;
  driver: 'mysql2' | 'planetscale';
  poolSize: number;
  roundTripMs: number;
}

const options = JSON.parse(process.env.BENCH_SERVER_OPTIONS ?? '{}') as BenchServerOptions;
let config = loadConfig({
  APP_ENV: 'development',
  DATABASE_URL: options.databaseUrl,
  DATABASE_POOL_SIZE: String(options.poolSize),
  LOG_LEVEL: 'silent',
});
const shim =
  options.driver === 'planetscale'
    ? createPlanetScaleShim(options.databaseUrl, { poolSize: options.poolSize, roundTripMs: options.roundTripMs })
    : undefined;
if (shim) config = { ...config, database: { kind: 'planetscale', ...shim.credentials, fetch: shim.fetch } };
const deps = createDeps(config);
const server = createServer({ keepAliveTimeout: 60_000 }, createListener(deps));
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));

process.on('message', async (message) => {
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
