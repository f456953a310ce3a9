/**
 * 候补管理: the waitlist entries of clinic sessions — by default those still waiting — session by
 * session, each with its place in the session's queue (1 = offered the next freed place), in the
 * order the offer job follows. Filtered on the server by the session's date (Shanghai), department,
 * session number and status, a page at a time. Names and phones come masked.
 */
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { departmentApi, waitlistApi } from '../api/endpoints';
import type { AdminWaitlistEntry } from '../api/schema';
import { PERIOD_LABEL } from '../components/labels';
import { shanghaiDateTime } from '../components/shanghai';
import { useLoad } from '../components/useLoad';
import { useTableLoad } from '../components/useTableLoad';

type Status = AdminWaitlistEntry['status'];
type Filters = { status?: Status; departmentId?: number; sessionId?: string; days?: [string, string] };

const STATUS: Record<Status, { text: string; color: string }> = {
  waiting: { text: '候补中', color: 'blue' },
  fulfilled: { text: '已候补成功', color: 'green' },
  cancelled: { text: '已取消', color: 'default' },
  expired: { text: '已截止未候补到', color: 'default' },
};

/** How many rows from `index` on belong to the same session (the first row of a run spans them all). */
function sessionRowSpan(rows: readonly AdminWaitlistEntry[], index: number): number {
  const id = rows[index]?.session.id;
  if (index > 0 && rows[index - 1]?.session.id === id) return 0;
  let span = 1;
  while (rows[index + span]?.session.id === id) span += 1;
  return span;
}

export function WaitlistPage() {
  const table = useRef<ActionType>(null);
  const departments = useLoad(() => departmentApi.list().then((r) => r.items), []);
  const [rows, setRows] = useState<AdminWaitlistEntry[]>([]);
  const { load, errorAlert } = useTableLoad(table);

  const columns: ProColumns<AdminWaitlistEntry>[] = [
    { title: '出诊日期', dataIndex: 'days', valueType: 'dateRange', hideInTable: true, search: { transform: (v: [string, string]) => ({ days: v }) } },
    {
      title: '科室',
      dataIndex: 'departmentId',
      hideInTable: true,
      valueType: 'select',
      fieldProps: { options: (departments.data ?? []).map((d) => ({ value: d.id, label: d.name })), showSearch: true, optionFilterProp: 'label', placeholder: '全部科室' },
    },
    {
      title: '出诊编号',
      dataIndex: 'sessionId',
      hideInTable: true,
      fieldProps: { placeholder: '排班（出诊）编号' },
      formItemProps: { rules: [{ pattern: /^[1-9]\d{0,14}$/, message: '请输入数字编号' }] },
    },
    {
      title: '出诊',
      dataIndex: 'session',
      width: 240,
      search: false,
      onCell: (_, index) => ({ rowSpan: sessionRowSpan(rows, index ?? 0) }),
      render: (_, e) => (
        <span data-testid="waitlist-session">
          {e.session.date} {PERIOD_LABEL[e.session.period]} {e.session.startTime}–{e.session.endTime}
          <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
            {e.session.departmentName} · {e.session.doctorName} · 出诊编号 {e.session.id}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: '位次',
      dataIndex: 'position',
      width: 70,
      align: 'right',
      search: false,
      tooltip: '本场候补队列中的顺序，1 为有人退号时第一个获得号源',
      render: (_, e) => (e.position === null ? '—' : <span data-testid="waitlist-position">第 {e.position} 位</span>),
    },
    { title: '就诊人', dataIndex: 'patientName', width: 90, search: false },
    { title: '手机号', dataIndex: 'phone', width: 120, search: false },
    { title: '候补时段', dataIndex: 'slotStarts', width: 130, search: false, render: (_, e) => (e.slotStarts ? e.slotStarts.join('、') : '任意时段') },
    { title: '加入时间（北京时间）', dataIndex: 'createdAt', width: 150, search: false, render: (_, e) => shanghaiDateTime(e.createdAt) },
    {
      title: '状态',
      dataIndex: 'status',
      width: 120,
      valueType: 'select',
      initialValue: 'waiting',
      valueEnum: Object.fromEntries(Object.entries(STATUS).map(([k, v]) => [k, { text: v.text }])),
      fieldProps: { allowClear: false },
      render: (_, e) => (
        <span>
          <Tag color={STATUS[e.status].color}>{STATUS[e.status].text}</Tag>
          {e.appointmentId ? (
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
              预约编号 {e.appointmentId}
            </Typography.Text>
          ) : null}
        </span>
      ),
    },
  ];

  return (
    <PageContainer title="候补管理" subTitle="各场出诊的候补队列，按候补先后排列；日期按北京时间，姓名与手机号已脱敏">
      {errorAlert}
      <ProTable<AdminWaitlistEntry, Filters>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={async (params: Filters & { current?: number; pageSize?: number }) => {
          return load(async () => {
            const page = await waitlistApi.list({
              status: params.status ?? 'waiting',
              departmentId: params.departmentId ? String(params.departmentId) : undefined,
              sessionId: params.sessionId?.trim() || undefined,
              from: params.days?.[0],
              to: params.days?.[1],
              page: params.current ?? 1,
              pageSize: params.pageSize ?? 20,
            }).catch((error: unknown) => {
              setRows([]);
              throw error;
            });
            setRows(page.items);
            return page;
          });
        }}
        bordered
        pagination={{ defaultPageSize: 20, showSizeChanger: true, pageSizeOptions: [20, 50, 100], showTotal: (total) => `共 ${total} 条候补` }}
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        options={{ density: false, setting: false }}
        scroll={{ x: 920 }}
        locale={{ emptyText: '没有符合条件的候补' }}
      />
    </PageContainer>
  );
}
