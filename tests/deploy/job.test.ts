/** `lambdaJob`: the adapter between a domain job and a scheduled Lambda function. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/src/config.js';
import { createDb } from '../../functions/src/db/create-db.js';
import type { AppDeps } from '../../functions/src/deps.js';
import { lambdaJob } from '../../functions/src/lambda/job.js';
import { createSmsSender } from '../../functions/src/notification/sms.js';
import { systemClock } from '../../functions/src/time/shanghai.js';

const config = loadConfig({ APP_ENV: 'test', DATABASE_URL: 'mysql://nobody:none@127.0.0.1:1/none' });
const db = createDb(config.database); // never queried: these jobs do not touch the database
afterAll(() => db.destroy());

function depsWithCapturedLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const deps: AppDeps = { config, db, clock: systemClock, log, sms: createSmsSender(config, db, log) };
  return { deps, lines };
}

describe('lambdaJob', () => {
  it('builds dependencies once per container and logs each summary as JSON', async () => {
    const { deps, lines } = depsWithCapturedLog();
    let built = 0;
    const handler = lambdaJob('expire-payment-holds', async () => ({ expired: 3 }), () => {
      built += 1;
      return deps;
    });
    await expect(handler({}, { awsRequestId: 'req-1' })).resolves.toEqual({ expired: 3 });
    await expect(handler({}, { awsRequestId: 'req-2' })).resolves.toEqual({ expired: 3 });
    expect(built).toBe(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ job: 'expire-payment-holds', requestId: 'req-1', summary: { expired: 3 }, msg: 'job finished' });
    expect(lines[1]).toMatchObject({ requestId: 'req-2' });
    expect(typeof lines[0]!.ms).toBe('number');
  });

  it('logs a failure and rethrows it, so Lambda counts the run as failed', async () => {
    const { deps, lines } = depsWithCapturedLog();
    const failure = new Error('database went away');
    const handler = lambdaJob('generate-slots', async () => Promise.reject(failure), () => deps);
    await expect(handler({})).rejects.toBe(failure);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ job: 'generate-slots', level: 50, msg: 'job failed', err: { message: 'database went away' } });
  });
});
