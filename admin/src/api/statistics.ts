/** The statistics dashboard's and the 停诊 approvals' API routes (types from the generated OpenAPI types). */
import { call, download } from './client';
import type { Body, Query, Response } from './schema';

export type Statistics = Response<'/api/v1/admin/statistics', 'get'>;
export type StatisticsFilter = Query<'/api/v1/admin/statistics', 'get'>;
export type StatisticsChart = Query<'/api/v1/admin/statistics/export.csv', 'get'>['chart'];
export type SuspensionRequest = Response<'/api/v1/admin/suspension-requests', 'get'>['items'][number];
export type SuspensionRequestStatus = NonNullable<Query<'/api/v1/admin/suspension-requests', 'get'>['status']>;
export type Approval = Response<'/api/v1/admin/suspension-requests/{id}/approve', 'post'>;

export const statisticsApi = {
  get: (filter: StatisticsFilter) => call<Statistics>('GET', '/admin/statistics', { query: filter }),
  exportCsv: (filter: StatisticsFilter, chart: StatisticsChart, filename: string) =>
    download('/admin/statistics/export.csv', { ...filter, chart }, filename),
};

export const approvalApi = {
  list: (status: SuspensionRequestStatus) => call<{ items: SuspensionRequest[] }>('GET', '/admin/suspension-requests', { query: { status } }),
  approve: (id: number) => call<Approval>('POST', `/admin/suspension-requests/${id}/approve`, { quiet: true }),
  reject: (id: number, body: Body<'/api/v1/admin/suspension-requests/{id}/reject', 'post'>) =>
    call<SuspensionRequest>('POST', `/admin/suspension-requests/${id}/reject`, { body, quiet: true }),
};
