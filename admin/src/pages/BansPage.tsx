/**
 * 预约限制: the accounts barred from booking after repeated no-shows (visit/bans.ts), newest
 * first — those in force, or every ban with its history. A ban in force can be lifted (解除) with a
 * reason, which the server audits; the account can book again at once unless another ban holds.
 * Dates are Shanghai calendar days; the ban runs through its last day. Phones come masked.
 */
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { Alert, App, Button, Form, Input, Modal, Segmented, Tag, Tooltip, Typography } from 'antd';
import { useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { banApi } from '../api/endpoints';
import type { BookingBan } from '../api/schema';
import { shanghaiChineseDay, shanghaiDateTime } from '../components/shanghai';
import { useTableLoad } from '../components/useTableLoad';

type Scope = 'active' | 'all';

function stateOf(ban: BookingBan): { text: string; color: string } {
  if (ban.liftedAt) return { text: '已解除', color: 'default' };
  return ban.active ? { text: '生效中', color: 'red' } : { text: '已到期', color: 'default' };
}

export function BansPage() {
  const { message } = App.useApp();
  const table = useRef<ActionType>(null);
  const [scope, setScope] = useState<Scope>('active');
  const { load, errorAlert } = useTableLoad(table);
  const [lifting, setLifting] = useState<BookingBan | null>(null);
  const [saving, setSaving] = useState(false);
  const [liftError, setLiftError] = useState<string | null>(null);
  const [form] = Form.useForm<{ reason: string }>();

  function openLift(ban: BookingBan) {
    form.resetFields();
    setLiftError(null);
    setLifting(ban);
  }

  async function lift() {
    if (!lifting) return;
    const { reason } = await form.validateFields();
    setSaving(true);
    setLiftError(null);
    try {
      await banApi.lift(lifting.id, reason.trim());
      void message.success('已解除预约限制，患者可以重新预约');
      setLifting(null);
      await table.current?.reload();
    } catch (error) {
      setLiftError(error instanceof ApiError ? error.message : '解除失败，请重试');
    } finally {
      setSaving(false);
    }
  }

  const columns: ProColumns<BookingBan>[] = [
    {
      title: '患者',
      dataIndex: 'phone',
      width: 170,
      render: (_, b) => (
        <span>
          {b.displayName ?? '未填写姓名'}
          <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
            {b.phone} · 账号 {b.accountId}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: '级别',
      dataIndex: 'tier',
      width: 100,
      render: (_, b) => <Tag color={b.tier === 2 ? 'volcano' : 'orange'}>{b.tier === 2 ? '二级（长期）' : '一级'}</Tag>,
    },
    { title: '爽约次数', dataIndex: 'noShowCount', width: 90, align: 'right', tooltip: '限制生效时统计窗口内的爽约次数' },
    { title: '开始', dataIndex: 'startsAt', width: 130, render: (_, b) => <Tooltip title={shanghaiDateTime(b.startsAt)}>{shanghaiChineseDay(b.startsAt)}</Tooltip> },
    { title: '截止（含当日）', dataIndex: 'lastDay', width: 130 },
    {
      title: '状态',
      dataIndex: 'active',
      width: 90,
      render: (_, b) => {
        const state = stateOf(b);
        return <Tag color={state.color} data-testid="ban-state">{state.text}</Tag>;
      },
    },
    {
      title: '解除原因',
      dataIndex: 'liftReason',
      ellipsis: true,
      render: (_, b) =>
        b.liftedAt ? (
          <span>
            {b.liftReason}
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
              {shanghaiDateTime(b.liftedAt)} 由账号 {b.liftedBy} 解除
            </Typography.Text>
          </span>
        ) : (
          '—'
        ),
    },
    {
      title: '操作',
      valueType: 'option',
      width: 90,
      render: (_, b) =>
        b.active ? (
          <Button type="link" size="small" onClick={() => openLift(b)} data-testid="ban-lift">
            解除
          </Button>
        ) : null,
    },
  ];

  return (
    <PageContainer title="预约限制" subTitle="多次爽约后暂停预约的账号；日期按北京时间，手机号已脱敏">
      {errorAlert}
      <ProTable<BookingBan>
        rowKey="id"
        actionRef={table}
        columns={columns}
        search={false}
        params={{ scope }}
        request={() =>
          load(async () => {
            const { items } = await banApi.list(scope === 'active');
            return { items, total: items.length };
          })
        }
        pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (total) => `共 ${total} 条` }}
        toolbar={{
          filter: (
            <Segmented<Scope>
              aria-label="范围"
              value={scope}
              onChange={setScope}
              options={[
                { value: 'active', label: '生效中' },
                { value: 'all', label: '全部' },
              ]}
            />
          ),
        }}
        options={{ density: false, setting: false, reload: true }}
        locale={{ emptyText: scope === 'active' ? '目前没有生效中的预约限制' : '还没有预约限制记录' }}
      />
      <Modal
        title={lifting ? `解除 ${lifting.displayName ?? lifting.phone} 的预约限制` : ''}
        open={lifting !== null}
        okText="解除限制"
        cancelText="取消"
        confirmLoading={saving}
        onOk={() => void lift()}
        onCancel={() => setLifting(null)}
        destroyOnHidden
      >
        {liftError && <Alert type="error" showIcon message={liftError} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical">
          <Form.Item name="reason" label="解除原因（记入审计日志）" rules={[{ required: true, whitespace: true, message: '请填写解除原因' }, { max: 200, message: '最多 200 字' }]}>
            <Input.TextArea rows={3} maxLength={200} showCount placeholder="如：患者因急诊住院未能就诊，已核实" data-testid="ban-lift-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </PageContainer>
  );
}
