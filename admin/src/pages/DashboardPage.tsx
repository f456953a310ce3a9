/**
 * 统计看板: the hospital's statistics for a range of Shanghai days and, optionally, a department
 * (with its 小科) — the rates with their definitions in tooltips, bookings, money and rates per
 * day, 热门科室, top doctors and the time-of-day distribution. Every number, definition and rate
 * comes from GET /api/v1/admin/statistics (definitions in the server's statistics/definitions.ts);
 * each chart's 导出 downloads the server's CSV of exactly those numbers. The subtitle says how old
 * the numbers are (the rollup's last refresh).
 */
import { DownloadOutlined, InfoCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { PageContainer, ProCard, StatisticCard } from '@ant-design/pro-components';
import { Alert, Button, DatePicker, Empty, Select, Space, Spin, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState, type ReactNode } from 'react';
import { departmentApi } from '../api/endpoints';
import { statisticsApi, type Statistics, type StatisticsChart, type StatisticsFilter } from '../api/statistics';
import { EChart, type ChartOption } from '../components/EChart';
import { yuan } from '../components/labels';
import { formatDay, shanghaiDateTime, shanghaiToday } from '../components/shanghai';
import { useLoad } from '../components/useLoad';

type Definition = Statistics['definitions'][number];
type RateKey = keyof Statistics['rates'];

const RATE_CARDS: RateKey[] = ['utilisation', 'cancellationRate', 'noShowRate', 'waitlistFillRate', 'averageWaitMinutes'];
const RATE_COLORS: Partial<Record<RateKey, string>> = { utilisation: '#1677ff', cancellationRate: '#fa8c16', noShowRate: '#f5222d' };

function formatRate(def: Definition | undefined, value: number | null): string {
  if (value === null || !def) return '—';
  return def.unit === 'minutes' ? `${value} 分钟` : `${(value * 100).toFixed(1)}%`;
}

/** A definition as the tooltip shows it: what is counted over what. */
function DefinitionText({ def }: { def: Definition | undefined }) {
  if (!def) return null;
  return (
    <div style={{ maxWidth: 360 }}>
      <div>分子：{def.numerator}</div>
      {def.denominator && <div>分母：{def.denominator}</div>}
    </div>
  );
}

function Explained({ title, defs }: { title: string; defs: (Definition | undefined)[] }) {
  return (
    <Space size={4}>
      {title}
      <Tooltip
        title={
          <div style={{ maxWidth: 380 }}>
            {defs.filter(Boolean).map((d) => (
              <div key={d!.key} style={{ marginBottom: 4 }}>
                <b>{d!.label}</b>
                <DefinitionText def={d} />
              </div>
            ))}
          </div>
        }
      >
        <InfoCircleOutlined style={{ color: '#8c8c8c' }} aria-label={`${title}的定义`} />
      </Tooltip>
    </Space>
  );
}

const shortDay = (d: string) => d.slice(5);

export function DashboardPage() {
  const today = shanghaiToday();
  const [range, setRange] = useState<[string, string]>([formatDay(dayjs(today).subtract(29, 'day')), today]);
  const [departmentId, setDepartmentId] = useState<number | undefined>(undefined);
  const [exporting, setExporting] = useState<StatisticsChart | null>(null);
  const departments = useLoad(() => departmentApi.list().then((r) => r.items), []);
  const filter: StatisticsFilter = { from: range[0], to: range[1], ...(departmentId ? { departmentId: String(departmentId) } : {}) };
  const stats = useLoad(() => statisticsApi.get(filter), [range[0], range[1], departmentId]);
  const data = stats.data;
  const def = (key: string) => data?.definitions.find((d) => d.key === key);

  const departmentOptions = useMemo(() => {
    const all = departments.data ?? [];
    const parents = all.filter((d) => d.parentId === null);
    return parents.flatMap((p) => [
      { value: p.id, label: p.name },
      ...all.filter((c) => c.parentId === p.id).map((c) => ({ value: c.id, label: `　${c.name}` })),
    ]);
  }, [departments.data]);

  const charts = useMemo(() => {
    if (!data) return undefined;
    const days = data.daily.map((d) => shortDay(d.date));
    const grid = { left: 56, right: 24, top: 40, bottom: 32 };
    const daily: ChartOption = {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['下单数', '预约数（按就诊日）'] },
      grid,
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: '下单数', type: 'line', data: data.daily.map((d) => d.orders), itemStyle: { color: '#1677ff' } },
        { name: '预约数（按就诊日）', type: 'line', data: data.daily.map((d) => d.bookings), itemStyle: { color: '#13c2c2' } },
      ],
    };
    const money: ChartOption = {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `¥${Number(v).toFixed(2)}` },
      legend: { top: 0, data: ['挂号费收入', '退款'] },
      grid,
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
      series: [
        { name: '挂号费收入', type: 'bar', barMaxWidth: 16, data: data.daily.map((d) => d.revenueFen / 100), itemStyle: { color: '#52c41a' } },
        { name: '退款', type: 'bar', barMaxWidth: 16, data: data.daily.map((d) => d.refundFen / 100), itemStyle: { color: '#ff7a45' } },
      ],
    };
    const rateKeys: RateKey[] = ['utilisation', 'cancellationRate', 'noShowRate'];
    const rates: ChartOption = {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === null || v === undefined || v === '-' ? '—' : `${Number(v).toFixed(1)}%`) },
      legend: { top: 0, data: rateKeys.map((k) => def(k)?.label ?? k) },
      grid,
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: rateKeys.map((k) => ({
        name: def(k)?.label ?? k,
        type: 'line',
        connectNulls: false,
        data: data.daily.map((d) => (d.rates[k] === null ? null : Math.round(d.rates[k]! * 1000) / 10)),
        itemStyle: { color: RATE_COLORS[k] },
      })),
    };
    const deptRows = [...data.departments].reverse();
    const departmentsChart: ChartOption = {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 112, right: 48, top: 16, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: deptRows.map((d) => d.name) },
      series: [{ name: '预约数', type: 'bar', barMaxWidth: 28, data: deptRows.map((d) => d.bookings), itemStyle: { color: '#13c2c2' }, label: { show: true, position: 'right' } }],
    };
    const doctorRows = [...data.doctors].reverse();
    const doctorsChart: ChartOption = {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 160, right: 48, top: 16, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: doctorRows.map((d) => `${d.name}（${d.departmentName}）`) },
      series: [{ name: '预约数', type: 'bar', barMaxWidth: 28, data: doctorRows.map((d) => d.bookings), itemStyle: { color: '#722ed1' }, label: { show: true, position: 'right' } }],
    };
    const hoursChart: ChartOption = {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 48, right: 24, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: data.hours.map((h) => `${String(h.hour).padStart(2, '0')}:00`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: '预约数', type: 'bar', barMaxWidth: 40, data: data.hours.map((h) => h.bookings), itemStyle: { color: '#1677ff' } }],
    };
    return { daily, money, rates, departmentsChart, doctorsChart, hoursChart };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data]);

  async function exportChart(chart: StatisticsChart, name: string) {
    setExporting(chart);
    try {
      await statisticsApi.exportCsv(filter, chart, `${name}-${range[0]}至${range[1]}.csv`);
    } catch {
      // download() has shown the error.
    } finally {
      setExporting(null);
    }
  }
  const exportButton = (chart: StatisticsChart, name: string) => (
    <Button size="small" icon={<DownloadOutlined />} loading={exporting === chart} onClick={() => void exportChart(chart, name)} aria-label={`导出${name}`}>
      导出
    </Button>
  );

  const hasBookings = (data?.totals.bookings ?? 0) + (data?.totals.orders ?? 0) > 0;
  const hasMoney = (data?.totals.revenueFen ?? 0) + (data?.totals.refundFen ?? 0) > 0;
  const hasDailyRates = data?.daily.some((d) => d.rates.utilisation !== null || d.rates.cancellationRate !== null || d.rates.noShowRate !== null) ?? false;
  const chartCard = (title: ReactNode, chart: StatisticsChart, exportName: string, content: ReactNode, empty: boolean, colSpan = '50%') => (
    <ProCard title={title} colSpan={colSpan} bordered extra={exportButton(chart, exportName)}>
      {empty ? <Empty description="所选范围内暂无数据" style={{ height: 268, paddingTop: 64 }} /> : content}
    </ProCard>
  );

  return (
    <PageContainer
      title="统计看板"
      subTitle={
        data
          ? `北京时间自然日 · ${data.refreshedAt ? `数据更新于 ${shanghaiDateTime(data.refreshedAt)}（每 10 分钟汇总）` : '实时统计'}`
          : '北京时间自然日'
      }
      extra={
        <Space wrap>
          <DatePicker.RangePicker
            aria-label="统计日期范围"
            allowClear={false}
            value={[dayjs(range[0]), dayjs(range[1])]}
            disabledDate={(d: Dayjs) => d.isAfter(dayjs(today).add(60, 'day'))}
            onChange={(values) => {
              if (values?.[0] && values[1]) setRange([formatDay(values[0]), formatDay(values[1])]);
            }}
            presets={[
              { label: '近 7 天', value: [dayjs(today).subtract(6, 'day'), dayjs(today)] },
              { label: '近 30 天', value: [dayjs(today).subtract(29, 'day'), dayjs(today)] },
              { label: '近一年', value: [dayjs(today).subtract(364, 'day'), dayjs(today)] },
            ]}
          />
          <Select
            aria-label="科室"
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder="全部科室"
            style={{ width: 180 }}
            value={departmentId}
            onChange={(v) => setDepartmentId(v)}
            options={departmentOptions}
            loading={departments.loading}
          />
          <Button icon={<ReloadOutlined />} onClick={stats.reload}>
            刷新
          </Button>
          <Button icon={<DownloadOutlined />} loading={exporting === 'summary'} onClick={() => void exportChart('summary', '统计汇总')}>
            导出汇总
          </Button>
        </Space>
      }
    >
      {stats.error && (
        <Alert
          type="error"
          showIcon
          message={`统计加载失败：${stats.error.message}`}
          action={<Button size="small" onClick={stats.reload}>重试</Button>}
          style={{ marginBottom: 16 }}
        />
      )}
      <Spin spinning={stats.loading} tip="统计中…">
        <StatisticCard.Group direction="row" style={{ marginBottom: 16 }}>
          {RATE_CARDS.map((key) => (
            <StatisticCard
              key={key}
              statistic={{
                title: <Explained title={def(key)?.label ?? key} defs={[def(key)]} />,
                value: formatRate(def(key), data?.rates[key] ?? null),
              }}
            />
          ))}
        </StatisticCard.Group>
        <StatisticCard.Group direction="row" style={{ marginBottom: 16 }}>
          <StatisticCard statistic={{ title: <Explained title="预约数" defs={[def('bookings')]} />, value: data?.totals.bookings ?? '—' }} />
          <StatisticCard statistic={{ title: <Explained title="下单数" defs={[def('orders')]} />, value: data?.totals.orders ?? '—' }} />
          <StatisticCard statistic={{ title: <Explained title="挂号费收入" defs={[def('revenueFen')]} />, value: data ? yuan(data.totals.revenueFen) : '—' }} />
          <StatisticCard
            statistic={{
              title: <Explained title="退款" defs={[def('refundFen'), def('refunds')]} />,
              value: data ? yuan(data.totals.refundFen) : '—',
              description: data ? <Typography.Text type="secondary">{data.totals.refunds} 笔</Typography.Text> : undefined,
            }}
          />
        </StatisticCard.Group>
        <ProCard gutter={[16, 16]} ghost wrap>
          {chartCard(
            <Explained title="每日预约量" defs={[def('orders'), def('bookings')]} />,
            'daily',
            '每日统计',
            charts && <EChart label="每日预约量" option={charts.daily} />,
            !hasBookings,
          )}
          {chartCard(
            <Explained title="每日挂号费收入与退款" defs={[def('revenueFen'), def('refundFen')]} />,
            'daily',
            '每日统计',
            charts && <EChart label="每日挂号费收入与退款" option={charts.money} />,
            !hasMoney,
          )}
          {chartCard(
            <Explained title="每日号源利用率、退号率、爽约率" defs={[def('utilisation'), def('cancellationRate'), def('noShowRate')]} />,
            'daily',
            '每日统计',
            charts && <EChart label="每日比率" option={charts.rates} />,
            !hasDailyRates,
          )}
          {chartCard(
            <Explained title="时段分布（按号源开始时刻）" defs={[def('bookings')]} />,
            'hours',
            '时段分布',
            charts && <EChart label="时段分布" option={charts.hoursChart} />,
            (data?.hours.length ?? 0) === 0,
          )}
          {chartCard(
            <Explained title="热门科室（预约数前 10）" defs={[def('bookings')]} />,
            'departments',
            '热门科室',
            charts && <EChart label="热门科室" option={charts.departmentsChart} />,
            (data?.departments.length ?? 0) === 0,
          )}
          {chartCard(
            <Explained title="医生排行（预约数前 10）" defs={[def('bookings')]} />,
            'doctors',
            '医生排行',
            charts && <EChart label="医生排行" option={charts.doctorsChart} />,
            (data?.doctors.length ?? 0) === 0,
          )}
        </ProCard>
      </Spin>
    </PageContainer>
  );
}
