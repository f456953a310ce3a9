/**
 * Turns a domain job into the handler of a scheduled Lambda function (serverless.yml `schedule`
 * events). The job is the same function a developer runs as a plain command locally; it only
 * ever sees `AppDeps`, never the EventBridge event.
 *
 * @example
 * // functions/src/lambda/generate-sessions.ts, declared in serverless.yml with `<<: *scheduledJob`
 * import { generateSessions } from '../schedule/generator.js';
 * import { lambdaJob } from './job.js';
 * export const handler = lambdaJob('generate-sessions', generateSessions);
 */
import { createDeps } from '../deps.js';
import type { AppDeps } from '../deps.js';

/** A scheduled piece of domain work; its summary (counts, ids) is logged after every run. */
export type DomainJob<Summary> = (deps: AppDeps) => Promise<Summary>;

/** The part of the Lambda context we use. */
export interface JobContext {
  awsRequestId?: string;
}

export type JobHandler<Summary> = (event: unknown, context?: JobContext) => Promise<Summary>;

/**
 * Dependencies are built on the first invocation and kept while the container lives, so warm
 * runs reuse the database client. A failed run is logged (job, request id, duration) and rethrown,
 * so Lambda counts it as an error (the function's Errors metric, alarms) rather than a success.
 * `buildDeps` is for tests.
 */
export function lambdaJob<Summary>(
  name: string,
  job: DomainJob<Summary>,
  buildDeps: () => AppDeps = createDeps,
): JobHandler<Summary> {
  let deps: AppDeps | undefined;
  return async (_event, context) => {
    deps ??= buildDeps();
    const log = deps.log.child({ job: name, ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}) });
    const started = performance.now();
    try {
      const summary = await job(deps);
      log.info({ summary, ms: Math.round(performance.now() - started) }, 'job finished');
      return summary;
    } catch (error) {
      log.error({ err: error, ms: Math.round(performance.now() - started) }, 'job failed');
      throw error;
    }
  };
}
