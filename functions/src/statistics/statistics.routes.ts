/** /api/v1/admin/statistics: the dashboard's numbers and each chart's CSV (admins only, read-only). */
import * as z from 'zod';
import { defineRoute, TextStream } from '../http/route.js';
import { CHART_FILE_NAMES, statisticsChartSchema, statisticsCsv } from './export.js';
import { resolveFilter, statistics, statisticsQuerySchema, statisticsSchema } from './statistics.js';

export const statisticsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/statistics',
    tag: 'admin',
    summary: '统计看板：每日预约与收入、热门科室、医生排行、时段分布与各比率（含定义；北京时间自然日）',
    auth: ['admin'],
    query: statisticsQuerySchema,
    response: statisticsSchema,
    handler: ({ query, deps }) => statistics(deps.db, resolveFilter(query, deps.clock.now())),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/statistics/export.csv',
    tag: 'admin',
    summary: '导出某张统计图的数据 CSV（筛选条件同统计看板；UTF-8 带 BOM）',
    auth: ['admin'],
    query: statisticsQuerySchema.extend({ chart: statisticsChartSchema }),
    response: z.instanceof(TextStream),
    contentType: 'text/csv; charset=utf-8',
    handler: async ({ query, deps }) => {
      const { chart, ...rest } = query;
      const filter = resolveFilter(rest, deps.clock.now());
      const text = statisticsCsv(await statistics(deps.db, filter), chart);
      const filename = `${CHART_FILE_NAMES[chart]}-${filter.from}至${filter.to}.csv`;
      return new TextStream(
        (async function* () {
          yield text;
        })(),
        {
          'Content-Disposition': `attachment; filename="statistics-${chart}.csv"; filename*=UTF-8''${encodeURIComponent(filename)}`,
          'Cache-Control': 'no-store',
        },
      );
    },
  }),
];
