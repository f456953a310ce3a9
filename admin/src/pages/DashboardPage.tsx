/**
 * 首页概览: today's hospital at a glance from the schedule the API already serves — doctors and
 * departments in service, and the coming seven days' places booked against capacity (per day and
 * per department). The statistics of issue 12 (rates, rankings, revenue) come with their own API.
 */
import { PageContainer, ProCard, StatisticCard } from '@ant-design/pro-components';
import { Alert, Empty, Spin } from 'antd';
import dayjs from 'dayjs';
import { useMemo } from 'react';
import { departmentApi, doctorApi, sessionApi } from '../api/endpoints';
import { EChart, type ChartOption } from '../components/EChart';
import { WEEKDAY_LABEL } from '../components/labels';
import { formatDay, shanghaiToday } from '../components/shanghai';
import { useLoad } from '../components/useLoad';

const DAYS = 7;

export function DashboardPage() {
  const from = shanghaiToday();
  const to = formatDay(dayjs(from).add(DAYS - 1, 'day'));
  const data = useLoad(
    () =>
      Promise.all([departmentApi.list(), doctorApi.list(), sessionApi.list({ from, to })]).then(([d, doc, s]) => ({
        departments: d.items,
        doctors: doc.items,
        sessions: s.items.filter((x) => x.status === 'open'),
      })),
    [from, to],
  );

  const figures = useMemo(() => {
    if (!data.data) return undefined;
    const days = Array.from({ length: DAYS }, (_, i) => formatDay(dayjs(from).add(i, 'day')));
    const perDay = new Map(days.map((d) => [d, { booked: 0, capacity: 0 }]));
    const perDepartment = new Map<number, { booked: number; capacity: number }>();
    for (const s of data.data.sessions) {
      const day = perDay.get(s.date);
      const dept = perDepartment.get(s.departmentId) ?? { booked: 0, capacity: 0 };
      for (const slot of s.slots) {
        if (day) {
          day.booked += slot.booked;
          day.capacity += slot.capacity;
        }
        dept.booked += slot.booked;
        dept.capacity += slot.capacity;
      }
      perDepartment.set(s.departmentId, dept);
    }
    const name = (id: number) => data.data!.departments.find((d) => d.id === id)?.name ?? `#${id}`;
    const ranking = [...perDepartment.entries()].sort((a, b) => b[1].booked - a[1].booked || b[1].capacity - a[1].capacity).slice(0, 10).reverse();
    const total = [...perDay.values()].reduce((t, d) => ({ booked: t.booked + d.booked, capacity: t.capacity + d.capacity }), { booked: 0, capacity: 0 });
    const byDay: ChartOption = {
      tooltip: { trigger: 'axis' },
      // ECharts 6 puts the legend at the bottom by default: keep it above the plot, clear of the axis labels.
      legend: { top: 0, data: ['已预约', '号源'] },
      grid: { left: 48, right: 24, top: 40, bottom: 32 },
      xAxis: { type: 'category', axisLabel: { interval: 0 }, data: days.map((d) => `${d.slice(5)} ${WEEKDAY_LABEL[dayjs(d).day()]}`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: '号源', type: 'bar', data: days.map((d) => perDay.get(d)!.capacity), itemStyle: { color: '#d6e4ff' } },
        { name: '已预约', type: 'bar', data: days.map((d) => perDay.get(d)!.booked), itemStyle: { color: '#1677ff' } },
      ],
    };
    const byDepartment: ChartOption = {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 96, right: 32, top: 16, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: ranking.map(([id]) => name(id)) },
      series: [{ name: '已预约', type: 'bar', data: ranking.map(([, v]) => v.booked), itemStyle: { color: '#13c2c2' }, label: { show: true, position: 'right' } }],
    };
    return { total, byDay, byDepartment, hasSessions: data.data.sessions.length > 0 };
  }, [data.data, from]);

  return (
    <PageContainer title="首页概览" subTitle={`${from} 起 ${DAYS} 天（北京时间）`}>
      {data.error && <Alert type="error" showIcon message={`加载失败：${data.error.message}`} style={{ marginBottom: 16 }} />}
      <Spin spinning={data.loading}>
        <StatisticCard.Group direction="row" style={{ marginBottom: 16 }}>
          <StatisticCard statistic={{ title: '启用科室', value: data.data?.departments.filter((d) => d.active).length ?? '—' }} />
          <StatisticCard statistic={{ title: '在岗医生', value: data.data?.doctors.filter((d) => d.active).length ?? '—' }} />
          <StatisticCard statistic={{ title: `未来 ${DAYS} 天出诊场次`, value: data.data?.sessions.length ?? '—' }} />
          <StatisticCard
            statistic={{
              title: `未来 ${DAYS} 天已预约 / 号源`,
              value: figures ? `${figures.total.booked} / ${figures.total.capacity}` : '—',
              description: figures && figures.total.capacity > 0 ? `使用率 ${((figures.total.booked / figures.total.capacity) * 100).toFixed(1)}%（已预约 ÷ 号源）` : undefined,
            }}
          />
        </StatisticCard.Group>
        <ProCard gutter={16} ghost>
          <ProCard title="每日号源与预约" colSpan="60%" bordered>
            {figures?.hasSessions ? <EChart label="每日号源与预约" option={figures.byDay} /> : <Empty description="未来 7 天没有排班" />}
          </ProCard>
          <ProCard title="科室预约排行（前 10）" colSpan="40%" bordered>
            {figures?.hasSessions ? <EChart label="科室预约排行" option={figures.byDepartment} /> : <Empty description="暂无数据" />}
          </ProCard>
        </ProCard>
      </Spin>
    </PageContainer>
  );
}
