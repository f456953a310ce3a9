/**
 * 按模板生成排班 for a chosen range of Shanghai dates — the whole hospital, the department or
 * the doctor chosen on the page — and what the run did: the sessions it made (doctor,
 * department, date, period, places) and the ones it did not make, with the reason. The server
 * checks the range (from today, at most MAX_DAYS days); the picker only offers such ranges.
 */
import { ProCard } from '@ant-design/pro-components';
import { Alert, Button, DatePicker, Descriptions, Radio, Space, Table, Tabs, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { templateApi } from '../api/endpoints';
import type { GenerationInput, GenerationResult } from '../api/schema';
import { PERIOD_LABEL, WEEKDAY_LABEL } from '../components/labels';
import { formatDay, shanghaiToday } from '../components/shanghai';

/** The server's longest range (schedule/generator.ts MAX_RANGE_DAYS), both ends included. */
const MAX_DAYS = 62;

type Made = GenerationResult['sessions'][number];
type Skipped = GenerationResult['skippedSessions'][number];

const REASON: Record<Skipped['reason'], { label: string; color: string }> = {
  exists: { label: '已生成', color: 'default' },
  edited: { label: '已有手工或修改过的排班', color: 'blue' },
  suspended: { label: '已停诊', color: 'red' },
  handed_over: { label: '已由他人替诊', color: 'purple' },
  template_inactive: { label: '模板已停用', color: 'orange' },
  doctor_inactive: { label: '医生已停诊', color: 'orange' },
  department_inactive: { label: '科室已停用', color: 'orange' },
};

const hm = (time: string) => time.slice(0, 5);
const dayLabel = (date: string) => `${date} ${WEEKDAY_LABEL[dayjs(date).day()]}`;
const common = [
  { title: '日期', dataIndex: 'date', width: 140, render: (_: unknown, s: Made | Skipped) => dayLabel(s.date) },
  { title: '时段', width: 150, render: (_: unknown, s: Made | Skipped) => `${PERIOD_LABEL[s.period]} ${hm(s.startTime)}–${hm(s.endTime)}` },
  { title: '科室', dataIndex: 'departmentName', width: 140 },
  { title: '医生', dataIndex: 'doctorName', width: 120 },
];

type Scope = 'all' | 'department' | 'doctor';

export function GenerateSessions({ departmentId, doctorId, departmentName, doctorName }: { departmentId?: number; doctorId?: number; departmentName?: string; doctorName?: string }) {
  const today = dayjs(shanghaiToday());
  const [range, setRange] = useState<[Dayjs, Dayjs]>([today, today.add(13, 'day')]);
  const [scope, setScope] = useState<Scope>('all');
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<GenerationResult | null>(null);

  async function run() {
    const body: GenerationInput = { from: formatDay(range[0]), to: formatDay(range[1]) };
    if (scope === 'department' && departmentId !== undefined) body.departmentId = departmentId;
    if (scope === 'doctor' && doctorId !== undefined) body.doctorId = doctorId;
    setRunning(true);
    setError(null);
    try {
      setResult(await templateApi.generate(body));
    } catch (e) {
      setResult(null);
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  }

  return (
    <ProCard title="按模板生成排班" style={{ marginTop: 16 }} data-testid="generation-panel" bordered>
      <Space wrap>
        <DatePicker.RangePicker
          aria-label="生成日期范围"
          allowClear={false}
          value={range}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
          // From today (Shanghai), at most MAX_DAYS days: what the server accepts.
          disabledDate={(d, info) => d.isBefore(today, 'day') || (info.from !== undefined && Math.abs(d.diff(info.from, 'day')) >= MAX_DAYS)}
        />
        <Radio.Group
          value={scope}
          onChange={(e) => setScope(e.target.value as Scope)}
          options={[
            { value: 'all', label: '全院' },
            { value: 'department', label: `本科室${departmentName ? `（${departmentName}）` : ''}`, disabled: departmentId === undefined },
            { value: 'doctor', label: `本医生${doctorName ? `（${doctorName}）` : ''}`, disabled: doctorId === undefined },
          ]}
        />
        <Button type="primary" loading={running} onClick={run}>按模板生成排班</Button>
        <Typography.Text type="secondary">日期按北京时间，从今天起，一次最多 {MAX_DAYS} 天；已生成的不会重复生成。</Typography.Text>
      </Space>
      {error && <Alert type="error" showIcon style={{ marginTop: 16 }} message={`生成失败：${error}`} data-testid="generation-error" />}
      {result && (
        <div style={{ marginTop: 16 }} data-testid="generation-result">
          <Descriptions size="small" column={5} bordered>
            <Descriptions.Item label="范围">{result.from} 至 {result.to}</Descriptions.Item>
            <Descriptions.Item label="新增排班">{result.created}</Descriptions.Item>
            <Descriptions.Item label="按模板更新">{result.rebuilt}</Descriptions.Item>
            <Descriptions.Item label="移除">{result.removed}</Descriptions.Item>
            <Descriptions.Item label="未生成">{result.skipped}</Descriptions.Item>
          </Descriptions>
          <Tabs
            style={{ marginTop: 8 }}
            items={[
              {
                key: 'made',
                label: `本次生成（${result.created + result.rebuilt}）`,
                children: (
                  <Table<Made>
                    rowKey="sessionId"
                    size="small"
                    loading={running}
                    dataSource={result.sessions}
                    pagination={{ pageSize: 20, hideOnSinglePage: true }}
                    locale={{ emptyText: '此范围内没有需要新生成的排班' }}
                    footer={result.sessions.length < result.created + result.rebuilt ? () => `仅列出前 ${result.sessions.length} 个` : undefined}
                    columns={[
                      ...common,
                      { title: '号源', dataIndex: 'capacity', width: 80, align: 'right' },
                      { title: '结果', dataIndex: 'outcome', render: (_, s) => (s.outcome === 'created' ? <Tag color="green">新增</Tag> : <Tag color="blue">按模板更新</Tag>) },
                    ]}
                  />
                ),
              },
              {
                key: 'skipped',
                label: `未生成（${result.skipped}）`,
                children: (
                  <Table<Skipped>
                    rowKey={(s) => `${s.doctorId}-${s.date}-${s.period}`}
                    size="small"
                    loading={running}
                    dataSource={result.skippedSessions}
                    pagination={{ pageSize: 20, hideOnSinglePage: true }}
                    locale={{ emptyText: '没有未生成的排班' }}
                    footer={result.skippedSessions.length < result.skipped ? () => `仅列出前 ${result.skippedSessions.length} 个` : undefined}
                    columns={[...common, { title: '原因', dataIndex: 'reason', render: (_, s) => <Tag color={REASON[s.reason].color}>{REASON[s.reason].label}</Tag> }]}
                  />
                ),
              },
            ]}
          />
        </div>
      )}
      {!result && !error && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
          {running ? '正在生成排班…' : '选择日期范围后生成，这里会列出本次生成了哪些排班、哪些未生成及原因。'}
        </Typography.Paragraph>
      )}
    </ProCard>
  );
}
