/**
 * 停诊审批: doctors' 停诊 requests by state. 批准 runs the suspension on the server (the session's
 * appointments cancelled, refunded and their patients notified, in one transaction); the
 * confirmation first shows how many active bookings the session holds now, read from the
 * schedule, and the answer says how many were cancelled. 驳回 needs a reason the doctor sees.
 */
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { Alert, App, Button, Form, Input, Modal, Segmented, Space, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { sessionApi } from '../api/endpoints';
import { approvalApi, type SuspensionRequest, type SuspensionRequestStatus } from '../api/statistics';
import { PERIOD_LABEL } from '../components/labels';
import { shanghaiDateTime } from '../components/shanghai';

const STATUS_LABEL: Record<SuspensionRequestStatus, string> = { pending: '待审核', approved: '已批准', rejected: '已驳回' };
const STATUS_COLOR: Record<SuspensionRequestStatus, string> = { pending: 'gold', approved: 'green', rejected: 'default' };

/** Active bookings of the request's session now: the patients an approval would cancel. */
async function bookedOf(request: SuspensionRequest): Promise<number | null> {
  try {
    const { items } = await sessionApi.list({ doctorId: String(request.doctorId), from: request.date, to: request.date });
    const session = items.find((s) => s.id === request.sessionId);
    return session ? session.slots.reduce((sum, slot) => sum + slot.booked, 0) : null;
  } catch {
    return null; // the confirmation still works; it just cannot say how many
  }
}

export function ApprovalsPage() {
  const { message, modal } = App.useApp();
  const [status, setStatus] = useState<SuspensionRequestStatus>('pending');
  const [rejecting, setRejecting] = useState<SuspensionRequest | null>(null);
  const [rejectError, setRejectError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const table = useRef<ActionType>();

  async function approve(request: SuspensionRequest) {
    const booked = await bookedOf(request);
    const visit = `${request.date} ${PERIOD_LABEL[request.period]} ${request.startTime.slice(0, 5)}`;
    modal.confirm({
      title: `批准 ${request.doctorName} 的停诊申请？`,
      content: (
        <Space direction="vertical">
          <span>
            出诊：{request.departmentName} {visit}
          </span>
          <span>原因：{request.reason}</span>
          <Typography.Text type="warning">
            {booked === null ? '批准后该出诊停诊，已预约的患者将被取消预约、退款并收到通知。' : `批准后该出诊停诊，将取消 ${booked} 个预约（退款并通知患者）。`}
          </Typography.Text>
        </Space>
      ),
      okText: '批准并停诊',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        try {
          const result = await approvalApi.approve(request.id);
          void message.success(
            `已停诊：取消 ${result.suspension.cancelledAppointments} 个预约，退款 ${result.suspension.refundedAppointments} 笔，通知 ${result.suspension.notifiedPatients} 位患者`,
          );
          table.current?.reload();
        } catch (error) {
          void message.error(error instanceof ApiError ? error.message : '批准失败，请重试');
          table.current?.reload();
        }
      },
    });
  }

  async function reject() {
    if (!rejecting) return;
    const { reason } = await form.validateFields();
    setSaving(true);
    setRejectError(null);
    try {
      await approvalApi.reject(rejecting.id, { reason: reason.trim() });
      void message.success('已驳回，医生可看到驳回原因');
      setRejecting(null);
      table.current?.reload();
    } catch (error) {
      setRejectError(error instanceof ApiError ? error.message : '驳回失败，请重试');
    } finally {
      setSaving(false);
    }
  }

  const columns: ProColumns<SuspensionRequest>[] = [
    { title: '申请时间', dataIndex: 'createdAt', width: 140, render: (_, r) => shanghaiDateTime(r.createdAt) },
    { title: '医生', dataIndex: 'doctorName', width: 90 },
    { title: '科室', dataIndex: 'departmentName', width: 110 },
    { title: '出诊', dataIndex: 'date', width: 170, render: (_, r) => `${r.date} ${PERIOD_LABEL[r.period]} ${r.startTime.slice(0, 5)}` },
    { title: '停诊原因', dataIndex: 'reason', ellipsis: true },
    { title: '状态', dataIndex: 'status', width: 80, render: (_, r) => <Tag color={STATUS_COLOR[r.status]}>{STATUS_LABEL[r.status]}</Tag> },
    {
      title: '审核',
      dataIndex: 'decidedAt',
      width: 200,
      hideInTable: status === 'pending',
      render: (_, r) =>
        r.decidedAt ? (
          <Space direction="vertical" size={0}>
            <span>
              {r.decidedBy ?? '—'} · {shanghaiDateTime(r.decidedAt)}
            </span>
            {r.rejectReason && <Typography.Text type="secondary">驳回原因：{r.rejectReason}</Typography.Text>}
          </Space>
        ) : (
          '—'
        ),
    },
    {
      title: '操作',
      valueType: 'option',
      width: 130,
      hideInTable: status !== 'pending',
      render: (_, r) => [
        <Button key="approve" type="link" size="small" danger onClick={() => void approve(r)}>
          批准
        </Button>,
        <Button
          key="reject"
          type="link"
          size="small"
          onClick={() => {
            form.resetFields();
            setRejectError(null);
            setRejecting(r);
          }}
        >
          驳回
        </Button>,
      ],
    },
  ];

  return (
    <PageContainer title="停诊审批" subTitle="医生提交的停诊申请：批准即停诊（取消预约、退款、通知患者），驳回须填写原因">
      <ProTable<SuspensionRequest>
        actionRef={table}
        rowKey="id"
        columns={columns}
        search={false}
        params={{ status }}
        request={async (params) => {
          const { items } = await approvalApi.list(params.status as SuspensionRequestStatus);
          return { data: items, success: true, total: items.length };
        }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        locale={{ emptyText: status === 'pending' ? '没有待审核的停诊申请' : '暂无记录' }}
        toolbar={{
          filter: (
            <Segmented<SuspensionRequestStatus>
              aria-label="申请状态"
              value={status}
              onChange={setStatus}
              options={(Object.keys(STATUS_LABEL) as SuspensionRequestStatus[]).map((s) => ({ value: s, label: STATUS_LABEL[s] }))}
            />
          ),
        }}
        options={{ density: false, setting: false, reload: true }}
      />
      <Modal
        title={rejecting ? `驳回 ${rejecting.doctorName} 的停诊申请` : ''}
        open={rejecting !== null}
        okText="驳回"
        cancelText="取消"
        confirmLoading={saving}
        onOk={() => void reject()}
        onCancel={() => setRejecting(null)}
        destroyOnClose
      >
        {rejectError && <Alert type="error" showIcon message={rejectError} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical">
          <Form.Item name="reason" label="驳回原因（医生可见）" rules={[{ required: true, whitespace: true, message: '请填写驳回原因' }, { max: 200, message: '最多 200 字' }]}>
            <Input.TextArea rows={3} maxLength={200} showCount placeholder="如：当日门诊量大，请协调替诊" />
          </Form.Item>
        </Form>
      </Modal>
    </PageContainer>
  );
}
