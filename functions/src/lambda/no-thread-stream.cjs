/**
 * Stands in for the `thread-stream` package in the Lambda bundles (serverless.yml esbuild.alias).
 * pino requires it at import for its transports (a worker thread per transport), which
 * logger.ts never uses: it writes JSON lines to standard output. Left out, a cold start does not
 * load and run that code; a transport asked for by mistake fails loudly instead of silently.
 */
module.exports = class ThreadStream {
  constructor() {
    throw new Error('pino transports are not bundled in the Lambda functions (functions/src/lambda/no-thread-stream.cjs)');
  }
};
