/**
 * AWS Lambda entry for the HTTP API (httpApi events): the same listener as the local server,
 * wrapped by serverless-http. Dependencies are built once per container, outside the handler,
 * so warm invocations reuse the database client.
 */
import serverless from 'serverless-http';
import { createDeps, createListener } from '../bootstrap.js';

const deps = createDeps();

export const handler = serverless(createListener(deps));
