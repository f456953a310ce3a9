/**
 * AWS Lambda entry of the admin API (serverless.yml `apiAdmin`: /api/v1/admin/* and the OpenAPI
 * document). Its group is the whole of routes.ts: the document describes every route.
 */
import { apiRoutes } from '../routes.js';
import { lambdaHttpApi } from './http-api.js';

export const handler = lambdaHttpApi('admin', apiRoutes);
