/**
 * Local host: mounts the HTTP listener on node:http at PORT, with the built front-end apps
 * (http/static.ts) served beside the API. `npm start` runs this through scripts/start.ts.
 */
import { createServer, type Server } from 'node:http';
import { createDeps, createListener } from './bootstrap.js';
import type { AppDeps } from './deps.js';
import { withFrontEndApps } from './http/static.js';

export async function startServer(deps: AppDeps = createDeps()): Promise<Server> {
  const server = createServer(withFrontEndApps(createListener(deps)));
  // Behind nothing locally: keep idle sockets short so restarts are quick.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(deps.config.port, resolve));
  const shutdown = () => {
    server.close(() => void deps.db.destroy().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return server;
}
