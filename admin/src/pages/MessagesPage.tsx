/**
 * 消息管理: every message the hospital sends patients (inbox entries, SMS, WeChat), newest first,
 * filtered on the server by status — 发送失败 is what needs a look — channel, template, phone and
 * the Shanghai day it was written, a page at a time. Phones come masked and the message text is
 * not listed (it names the 就诊人). A failed message can be sent again (重新发送): it goes back
 * to the queue with its tries reset, and the action is audited.
 */
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { Button, message, Popconfirm, Tag, Tooltip, Typography } from 'antd';
import { useRef, useState } from 'react';
import { notificationApi } from '../api/endpoints';
import type { AdminMessage } from '../api/schema';
import { shanghaiDateTime } from '../components/shanghai';
import { useTableLoad } from '../components/useTableLoad';

type Filters = {
  status?: AdminMessage['status'];
  channel?: AdminMessage['channel'];
  template?: string;
  phone?: string;
  appointmentId?: string;
  days?: [string, string];
};

const STATUS: Record<AdminMessage['status'], { text: string; color: string }> = {
  pending: { text: '待发送', color: 'blue' },
  sent: { text: '已发送', color: 'green' },
  failed: { text: '发送失败', color: 'red' },
  skipped: { text: '已失效未发送', color: 'default' },
};

const CHANNEL: Record<AdminMessage['channel'], string> = { sms: '短信', wechat: '微信订阅消息', in_app: '站内消息' };

/** The server's templates, by the title patients see (notification/templates.ts). */
const TEMPLATE: Record<string, string> = {
  booking_confirmed: '预约成功',
  payment_due: '待支付提醒',
  hold_expired: '预约已超时取消',
  appointment_cancelled: '预约已取消',
  refund_made: '退款已到账',
  session_suspended: '停诊通知',
  doctor_substituted: '替诊通知',
  waitlist_offer: '候补成功',
  waitlist_closed: '候补未成功',
  ban_applied: '预约受限通知',
  visit_reminder_day_before: '明日就诊提醒',
  visit_reminder_soon: '就诊提醒',
};

const valueEnumOf = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).map(([k, text]) => [k, { text }]));

export function MessagesPage() {
  const table = useRef<ActionType>(null);
  const { load, errorAlert } = useTableLoad(table);
  const [retrying, setRetrying] = useState<number | null>(null);

  async function retry(m: AdminMessage) {
    setRetrying(m.id);
    try {
      await notificationApi.retry(m.id);
      void message.success('已重新加入发送队列');
      await table.current?.reload();
    } catch {
      // shown by the client
    } finally {
      setRetrying(null);
    }
  }

  const columns: ProColumns<AdminMessage>[] = [
    { title: '写入时间（北京时间）', dataIndex: 'createdAt', width: 140, search: false, render: (_, m) => shanghaiDateTime(m.createdAt) },
    { title: '日期', dataIndex: 'days', valueType: 'dateRange', hideInTable: true, search: { transform: (v: [string, string]) => ({ days: v }) } },
    {
      title: '消息',
      dataIndex: 'template',
      width: 190,
      valueType: 'select',
      valueEnum: valueEnumOf(TEMPLATE),
      fieldProps: { placeholder: '全部消息', showSearch: true },
      render: (_, m) => (
        <span title={m.template}>
          {m.title}
          {m.urgent ? <Tag color="orange" style={{ marginLeft: 6 }}>紧急</Tag> : null}
          {m.orderNo ? (
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
              订单 {m.orderNo}
            </Typography.Text>
          ) : null}
        </span>
      ),
    },
    {
      title: '渠道',
      dataIndex: 'channel',
      width: 110,
      valueType: 'select',
      valueEnum: valueEnumOf(CHANNEL),
      render: (_, m) => (m.channelChoice === 'auto' ? <Tooltip title="首次发送时按微信订阅授权选择微信，否则短信">自动选择</Tooltip> : CHANNEL[m.channel]),
    },
    {
      title: '手机号',
      dataIndex: 'phone',
      width: 110,
      fieldProps: { placeholder: '11 位手机号', maxLength: 11 },
      formItemProps: { rules: [{ pattern: /^1\d{10}$/, message: '请输入 11 位手机号' }] },
      render: (_, m) => m.phone ?? '—',
    },
    {
      title: '预约编号',
      dataIndex: 'appointmentId',
      hideInTable: true,
      fieldProps: { placeholder: '预约编号' },
      formItemProps: { rules: [{ pattern: /^\d{1,15}$/, message: '请输入数字编号' }] },
    },
    {
      title: '状态',
      dataIndex: 'status',
      width: 100,
      valueType: 'select',
      valueEnum: valueEnumOf(Object.fromEntries(Object.entries(STATUS).map(([k, v]) => [k, v.text]))),
      render: (_, m) => <Tag color={STATUS[m.status].color}>{STATUS[m.status].text}</Tag>,
    },
    {
      title: '发送',
      dataIndex: 'attempts',
      width: 200,
      search: false,
      render: (_, m) => (
        <span>
          {[
            m.status === 'sent' && m.sentAt ? `${shanghaiDateTime(m.sentAt)} 发出` : m.status === 'pending' ? `预定 ${shanghaiDateTime(m.sendAfter)}` : null,
            m.attempts > 0 ? `已尝试 ${m.attempts} 次` : null,
          ]
            .filter(Boolean)
            .join(' · ')}
          {m.lastError ? (
            <Typography.Paragraph type="danger" ellipsis={{ rows: 1, tooltip: m.lastError }} style={{ margin: 0 }} data-testid="message-error">
              {m.lastError}
            </Typography.Paragraph>
          ) : null}
        </span>
      ),
    },
    {
      title: '操作',
      valueType: 'option',
      width: 90,
      fixed: 'right',
      render: (_, m) =>
        m.status === 'failed' ? (
          <Popconfirm title="重新发送该消息？" description="发送次数将清零，并记入审计日志" okText="重新发送" cancelText="取消" onConfirm={() => retry(m)}>
            <Button type="link" size="small" loading={retrying === m.id} data-testid="message-retry">
              重新发送
            </Button>
          </Popconfirm>
        ) : null,
    },
  ];

  return (
    <PageContainer title="消息管理" subTitle="发给患者的全部消息（站内消息、短信、微信），新的在前；手机号已脱敏，日期按北京时间">
      {errorAlert}
      <ProTable<AdminMessage, Filters>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={async (params: Filters & { current?: number; pageSize?: number }) => {
          return load(() =>
            notificationApi.list({
              status: params.status,
              channel: params.channel,
              template: params.template || undefined,
              phone: params.phone?.trim() || undefined,
              appointmentId: params.appointmentId?.trim() ? Number(params.appointmentId) : undefined,
              from: params.days?.[0],
              to: params.days?.[1],
              page: params.current ?? 1,
              pageSize: params.pageSize ?? 20,
            }),
          );
        }}
        pagination={{ defaultPageSize: 20, showSizeChanger: true, pageSizeOptions: [20, 50, 100], showTotal: (total) => `共 ${total} 条消息` }}
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        options={{ density: false, setting: false }}
        scroll={{ x: 940 }}
        locale={{ emptyText: '没有符合条件的消息' }}
      />
    </PageContainer>
  );
}
