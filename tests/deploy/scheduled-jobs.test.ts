/**
 * Every scheduled Lambda of serverless.yml can be run by hand (`npm run job -- <name>`, named
 * after its handler file) and runs in the background of `npm start` — so a job added for AWS is
 * not forgotten locally, where a demo would then never see holds expire or waitlists close.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scheduledJobs } from '../../scripts/scheduled-jobs.js';

const serverlessYml = readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8');

/** The handler file names of the functions with a `schedule:` event. */
function scheduledHandlers(): string[] {
  const functions = serverlessYml.slice(serverlessYml.indexOf('\nfunctions:'));
  return functions
    .split(/\n  (?=\w+:\n)/)
    .filter((block) => /- schedule:/.test(block))
    .map((block) => /handler: functions\/src\/lambda\/([\w-]+)\.handler/.exec(block)?.[1] ?? `(no handler in ${block.slice(0, 40)})`)
    .sort();
}

describe('scheduled jobs', () => {
  it('has a local job for every scheduled Lambda, and no other', () => {
    const handlers = scheduledHandlers();
    expect(handlers.length).toBe(8);
    expect(Object.keys(scheduledJobs).sort()).toEqual(handlers);
  });

  it('runs every job but the daily generator in the background of npm start', () => {
    const background = Object.entries(scheduledJobs)
      .filter(([, job]) => job.localEverySeconds !== undefined)
      .map(([name]) => name)
      .sort();
    expect(background).toEqual(scheduledHandlers().filter((name) => name !== 'generate-sessions'));
  });
});
