/**
 * AWS Lambda entry of the public and patient API (serverless.yml `api`: every path no other
 * function claims): the same app as the local server, with this audience's routes only
 * (lambda/http-api.ts), wrapped by serverless-http.
 */
import { lambdaHttpApi } from './http-api.js';
import { publicGroup } from './public-group.js';

export const handler = lambdaHttpApi('public', publicGroup);
