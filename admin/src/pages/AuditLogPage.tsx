/**
 * 审计日志: every sensitive action, newest first, filtered on the server by actor (account id or
 * phone), action, target, outcome and Shanghai calendar days, a page at a time. Phones and IPs
 * come masked from the server; each row's summary (before / after, or a failure's reason)
 * unfolds under it.
 */
import { PageContainer, ProTable, type ProColumns } from '@ant-design/pro-components';
import { Tag, Typography } from 'antd';
import { auditApi } from '../api/endpoints';
import type { AuditEntry } from '../api/schema';
import { ACTION_LABEL, ACTOR_ROLE_LABEL, actionLabel } from '../components/labels';
import { shanghaiDateTime } from '../components/shanghai';

type Filters = { actor?: string; action?: string; targetType?: string; targetId?: string; outcome?: 'success' | 'failure'; days?: [string, string] };

const actionOptions = Object.entries(ACTION_LABEL).map(([value, label]) => ({ value, label: `${label}（${value}）` }));

const columns: ProColumns<AuditEntry>[] = [
  { title: '时间（北京时间）', dataIndex: 'createdAt', width: 150, search: false, render: (_, e) => shanghaiDateTime(e.createdAt) },
  {
    title: '日期',
    dataIndex: 'days',
    valueType: 'dateRange',
    hideInTable: true,
    search: { transform: (value: [string, string]) => ({ days: value }) },
  },
  {
    title: '操作人',
    dataIndex: 'actor',
    width: 190,
    fieldProps: { placeholder: '账号编号或 11 位手机号' },
    formItemProps: { rules: [{ pattern: /^\d{1,15}$/, message: '请输入账号编号或手机号' }] },
    render: (_, e) => (
      <span>
        <Tag>{ACTOR_ROLE_LABEL[e.actor.role]}</Tag>
        {e.actor.name ?? (e.actor.userId === null ? '' : `#${e.actor.userId}`)}
        {e.actor.phone ? <Typography.Text type="secondary"> {e.actor.phone}</Typography.Text> : null}
      </span>
    ),
  },
  {
    title: '操作',
    dataIndex: 'action',
    width: 190,
    valueType: 'select',
    fieldProps: { options: actionOptions, showSearch: true, placeholder: '全部操作' },
    render: (_, e) => (
      <span title={e.action} data-testid="audit-action">
        {actionLabel(e.action)}
      </span>
    ),
  },
  { title: '对象类型', dataIndex: 'targetType', width: 120, render: (_, e) => e.targetType ?? '—' },
  { title: '对象编号', dataIndex: 'targetId', width: 180, render: (_, e) => e.targetId ?? '—' },
  {
    title: '结果',
    dataIndex: 'outcome',
    width: 90,
    valueType: 'select',
    valueEnum: { success: { text: '成功' }, failure: { text: '失败' } },
    render: (_, e) => (e.outcome === 'success' ? <Tag color="green">成功</Tag> : <Tag color="red">失败</Tag>),
  },
  { title: '来源 IP', dataIndex: 'ip', width: 130, search: false, render: (_, e) => e.ip ?? '—' },
];

export function AuditLogPage() {
  return (
    <PageContainer title="审计日志" subTitle="所有敏感操作，新的在前；手机号与 IP 已脱敏，日期按北京时间">
      <ProTable<AuditEntry, Filters>
        rowKey="id"
        columns={columns}
        request={async (params: Filters & { current?: number; pageSize?: number }) => {
          const page = await auditApi.list({
            actor: params.actor?.trim() || undefined,
            action: params.action || undefined,
            targetType: params.targetType?.trim() || undefined,
            targetId: params.targetId?.trim() || undefined,
            outcome: params.outcome,
            from: params.days?.[0],
            to: params.days?.[1],
            page: params.current ?? 1,
            pageSize: params.pageSize ?? 20,
          });
          return { data: page.items, total: page.total, success: true };
        }}
        expandable={{
          rowExpandable: (e) => e.summary !== null,
          expandedRowRender: (e) => (
            <pre className="audit-summary" data-testid="audit-summary">
              {JSON.stringify(e.summary, null, 2)}
            </pre>
          ),
        }}
        pagination={{ defaultPageSize: 20, showSizeChanger: true, pageSizeOptions: [20, 50, 100], showTotal: (total) => `共 ${total} 条` }}
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        options={{ density: false, setting: false }}
        locale={{ emptyText: '没有符合条件的审计记录' }}
      />
    </PageContainer>
  );
}
