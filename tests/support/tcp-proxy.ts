/**
 * A TCP proxy in front of the test MariaDB that a test can cut, to play a database outage
 * without stopping the shared server: the app (or the PlanetScale shim's pool) connects through
 * it, and the test decides when connections die.
 *
 * ```ts
 * const proxy = await startTcpProxy(serverUrl());
 * const url = proxy.rewrite(database.url);       // the same database, through the proxy
 * await proxy.cut();                             // refused and reset: MariaDB "is down"
 * await proxy.restore();                         // accepting again
 * const commitLost = proxy.cutOn('COMMIT', 'after-reply');  // COMMIT runs, its answer is lost
 * ```
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * `before`: the connection is reset before the statement reaches the server (it never runs).
 * `after-reply`: the statement reaches the server and runs; the connection is reset when the
 * server answers, so the client never learns the outcome.
 */
export type CutMoment = 'before' | 'after-reply';

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  /** Stops accepting (new connections are refused) and resets every open connection. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  /**
   * Resets the one connection whose client next sends bytes containing `marker` (e.g. a SQL
   * keyword; case-insensitive), at `moment`. Resolves once it has happened; the proxy keeps serving others.
   */
  cutOn(marker: string, moment: CutMoment): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
  /** Set when this pair's next reply from the server must be dropped with the connection. */
  dropReply?: () => void;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetHost = target.hostname;
  const targetPort = Number(target.port || 3306);
  const pairs = new Set<Pair>();
  const pendingCuts: { marker: string; moment: CutMoment; done: () => void }[] = [];

  const reset = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.server.destroy();
  };

  const onConnection = (client: Socket) => {
    const server = connect(targetPort, targetHost);
    const pair: Pair = { client, server };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      // Case-insensitive: Kysely's mysql2 driver sends `commit`, kysely-planetscale `COMMIT`.
      const text = pendingCuts.length > 0 ? chunk.toString('latin1').toLowerCase() : '';
      const index = pendingCuts.findIndex((c) => text.includes(c.marker));
      if (index >= 0) {
        const [cut] = pendingCuts.splice(index, 1);
        if (cut!.moment === 'before') {
          reset(pair);
          cut!.done();
          return;
        }
        pair.dropReply = cut!.done;
      }
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => {
      if (pair.dropReply) {
        const done = pair.dropReply;
        reset(pair);
        done();
        return;
      }
      client.write(chunk);
    });
    const end = () => reset(pair);
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  };

  let listener: Server = createServer(onConnection);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;

  const stopListening = () => new Promise<void>((resolve) => listener.close(() => resolve()));

  return {
    port,
    rewrite(url) {
      const rewritten = new URL(url);
      rewritten.hostname = '127.0.0.1';
      rewritten.port = String(port);
      return rewritten.toString();
    },
    async cut() {
      const closed = stopListening();
      for (const pair of [...pairs]) reset(pair);
      await closed;
    },
    async restore() {
      listener = createServer(onConnection);
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, '127.0.0.1', () => resolve());
      });
    },
    cutOn(marker, moment) {
      return new Promise<void>((done) => pendingCuts.push({ marker: marker.toLowerCase(), moment, done }));
    },
    async close() {
      const closed = listener.listening ? stopListening() : Promise.resolve();
      for (const pair of [...pairs]) reset(pair);
      await closed;
    },
  };
}
