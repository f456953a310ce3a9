/**
 * Each dashboard chart's numbers as CSV, built from the same `statistics()` result the chart
 * shows (so the file and the chart cannot disagree) and written with the admin CSV rules
 * (admin/csv.ts: BOM for Excel, cells neutralised against formula injection). Server-side
 * rather than in the browser so those rules live in one place; the files are small (at most
 * one line per day of a ≤ 731-day range), so they are built whole, not streamed.
 */
import * as z from 'zod';
import { CSV_BOM, csvRow } from '../admin/csv.js';
import { COUNTS, type CountName, RATES, type RateName } from './definitions.js';
import { COUNT_COLUMNS } from './rollup.js';
import type { Statistics } from './statistics.js';

export const statisticsCharts = ['daily', 'departments', 'doctors', 'hours', 'summary'] as const;
export const statisticsChartSchema = z.enum(statisticsCharts).meta({ description: '导出哪张图的数据' });
export type StatisticsChart = (typeof statisticsCharts)[number];

const countNames = Object.keys(COUNT_COLUMNS) as CountName[];
const rateNames = Object.keys(RATES) as RateName[];
const countLabel = (c: CountName) => COUNTS[c].slice(0, COUNTS[c].indexOf('：'));
const rateLabel = (r: RateName) => (RATES[r].unit === 'percent' ? `${RATES[r].label}(%)` : `${RATES[r].label}(分钟)`);
/** A rate as the CSV shows it: percent with 2 decimals, minutes as they are, blank when undefined. */
const rateCell = (r: RateName, value: number | null) =>
  value === null ? '' : RATES[r].unit === 'percent' ? (value * 100).toFixed(2) : value;

export const CHART_FILE_NAMES: Record<StatisticsChart, string> = {
  daily: '每日统计',
  departments: '热门科室',
  doctors: '医生排行',
  hours: '时段分布',
  summary: '汇总',
};

/** The CSV text (BOM first) of one chart. */
export function statisticsCsv(stats: Statistics, chart: StatisticsChart): string {
  const lines: string[] = [];
  switch (chart) {
    case 'daily':
      lines.push(csvRow(['日期', ...countNames.map(countLabel), ...rateNames.map(rateLabel)]));
      for (const day of stats.daily) {
        lines.push(csvRow([day.date, ...countNames.map((c) => day[c]), ...rateNames.map((r) => rateCell(r, day.rates[r]))]));
      }
      break;
    case 'departments':
      lines.push(csvRow(['排名', '科室', '预约数', '患者退号数', '爽约数', '应就诊数']));
      stats.departments.forEach((d, i) => lines.push(csvRow([i + 1, d.name, d.bookings, d.patientCancels, d.noShows, d.visitsDue])));
      break;
    case 'doctors':
      lines.push(csvRow(['排名', '医生', '科室', '预约数']));
      stats.doctors.forEach((d, i) => lines.push(csvRow([i + 1, d.name, d.departmentName, d.bookings])));
      break;
    case 'hours':
      lines.push(csvRow(['时段', '预约数']));
      for (const h of stats.hours) lines.push(csvRow([`${String(h.hour).padStart(2, '0')}:00–${String(h.hour).padStart(2, '0')}:59`, h.bookings]));
      break;
    case 'summary':
      lines.push(csvRow(['指标', '数值', '定义']));
      for (const r of rateNames) lines.push(csvRow([rateLabel(r), rateCell(r, stats.rates[r]), `${COUNTS[RATES[r].numerator]} ÷ ${COUNTS[RATES[r].denominator]}`]));
      for (const c of countNames) lines.push(csvRow([countLabel(c), stats.totals[c], COUNTS[c]]));
      break;
  }
  return CSV_BOM + lines.join('');
}
