/**
 * 预约管理: every appointment, filtered on the server by 就诊日期, department (with its 小科),
 * doctor, status, order number and phone; a drawer with one appointment's whole history (audit
 * entries, payment and refund, messages); 导出 CSV of the current filters; 取消预约 with a
 * reason on the rows the server marks cancellable (the patient is refunded and told). Patients'
 * names, phones and ID numbers come masked from the server.
 */
import { DownloadOutlined } from '@ant-design/icons';
import { ModalForm, PageContainer, ProFormTextArea, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { Alert, App, Button, Descriptions, Drawer, Empty, Form, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { useRef, useState } from 'react';
import { appointmentApi, departmentApi, doctorApi, type AppointmentFilter } from '../api/endpoints';
import type { AdminAppointment } from '../api/schema';
import {
  ACTOR_ROLE_LABEL,
  actionLabel,
  APPOINTMENT_STATUS_COLOR,
  APPOINTMENT_STATUS_LABEL,
  CANCELLED_BY_LABEL,
  PERIOD_LABEL,
  yuan,
} from '../components/labels';
import { formErrorHandler } from '../components/formErrors';
import { shanghaiDateTime, shanghaiToday } from '../components/shanghai';
import { useLoad } from '../components/useLoad';

type SearchValues = { days?: [string, string]; departmentId?: number; doctorId?: number; status?: AdminAppointment['status']; orderNo?: string; phone?: string };

function filterOf(params: SearchValues): AppointmentFilter {
  return {
    from: params.days?.[0],
    to: params.days?.[1],
    departmentId: params.departmentId ? String(params.departmentId) : undefined,
    doctorId: params.doctorId ? String(params.doctorId) : undefined,
    status: params.status,
    orderNo: params.orderNo?.trim() || undefined,
    phone: params.phone?.trim() || undefined,
  };
}

const statusEnum = Object.fromEntries(Object.entries(APPOINTMENT_STATUS_LABEL).map(([k, text]) => [k, { text }]));

export function AppointmentsPage() {
  const departments = useLoad(() => departmentApi.list().then((r) => r.items), []);
  const doctors = useLoad(() => doctorApi.list().then((r) => r.items), []);
  const filter = useRef<AppointmentFilter>({});
  const [exporting, setExporting] = useState(false);
  const [openId, setOpenId] = useState<number | null>(null);
  const [cancelling, setCancelling] = useState<AdminAppointment | null>(null);
  const table = useRef<ActionType>(undefined);

  const columns: ProColumns<AdminAppointment>[] = [
    { title: '就诊日期', dataIndex: 'days', valueType: 'dateRange', hideInTable: true, search: { transform: (v: [string, string]) => ({ days: v }) } },
    { title: '订单号', dataIndex: 'orderNo', width: 180, fieldProps: { placeholder: '完整订单号' } },
    {
      title: '就诊时间',
      dataIndex: 'date',
      width: 150,
      search: false,
      render: (_, a) => `${a.date} ${PERIOD_LABEL[a.period]} ${a.startTime}`,
    },
    {
      title: '科室',
      dataIndex: 'departmentId',
      width: 110,
      valueType: 'select',
      fieldProps: { options: (departments.data ?? []).map((d) => ({ value: d.id, label: d.name })), showSearch: true, optionFilterProp: 'label', placeholder: '全部科室' },
      render: (_, a) => a.department.name,
    },
    {
      title: '医生',
      dataIndex: 'doctorId',
      width: 80,
      valueType: 'select',
      fieldProps: { options: (doctors.data ?? []).map((d) => ({ value: d.id, label: d.name })), showSearch: true, optionFilterProp: 'label', placeholder: '全部医生' },
      render: (_, a) => a.doctor.name,
    },
    { title: '就诊人', dataIndex: 'patientName', width: 70, search: false, render: (_, a) => a.patient.name },
    {
      title: '手机号',
      dataIndex: 'phone',
      width: 110,
      fieldProps: { placeholder: '11 位手机号', maxLength: 11 },
      formItemProps: { rules: [{ pattern: /^1\d{10}$/, message: '请输入 11 位手机号' }] },
      render: (_, a) => a.patient.phone,
    },
    { title: '挂号费', dataIndex: 'feeFen', width: 80, align: 'right', search: false, render: (_, a) => yuan(a.feeFen) },
    {
      title: '状态',
      dataIndex: 'status',
      width: 80,
      valueType: 'select',
      valueEnum: statusEnum,
      render: (_, a) => <Tag color={APPOINTMENT_STATUS_COLOR[a.status]}>{APPOINTMENT_STATUS_LABEL[a.status]}</Tag>,
    },
    {
      title: '操作',
      valueType: 'option',
      width: 120,
      fixed: 'right',
      render: (_, a) => (
        <Space size="middle">
          <a onClick={() => setOpenId(a.id)}>详情</a>
          {a.cancellable ? (
            <a className="cancel-appointment" onClick={() => setCancelling(a)}>
              取消预约
            </a>
          ) : null}
        </Space>
      ),
    },
  ];

  async function exportCsv() {
    setExporting(true);
    try {
      await appointmentApi.exportCsv(filter.current, `预约导出-${shanghaiToday()}.csv`);
    } catch {
      // already shown by the client
    } finally {
      setExporting(false);
    }
  }

  return (
    <PageContainer title="预约管理" subTitle="按就诊日期（北京时间）、科室、医生、状态、订单号、手机号筛选；患者信息已脱敏">
      <ProTable<AdminAppointment, SearchValues>
        actionRef={table}
        rowKey="id"
        columns={columns}
        request={async (params: SearchValues & { current?: number; pageSize?: number }) => {
          filter.current = filterOf(params);
          const page = await appointmentApi.list({ ...filter.current, page: params.current ?? 1, pageSize: params.pageSize ?? 20 });
          return { data: page.items, total: page.total, success: true };
        }}
        pagination={{ defaultPageSize: 20, showSizeChanger: true, pageSizeOptions: [20, 50, 100], showTotal: (total) => `共 ${total} 条预约` }}
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        options={{ density: false, setting: false }}
        scroll={{ x: 980 }}
        locale={{ emptyText: '没有符合条件的预约' }}
        toolBarRender={() => [
          <Button key="csv" icon={<DownloadOutlined />} loading={exporting} onClick={() => void exportCsv()}>
            导出 CSV
          </Button>,
        ]}
      />
      <AppointmentDrawer id={openId} onClose={() => setOpenId(null)} />
      <CancelModal
        appointment={cancelling}
        onClose={() => setCancelling(null)}
        onCancelled={() => {
          setCancelling(null);
          void table.current?.reload();
        }}
      />
    </PageContainer>
  );
}

/** 取消预约: the reason is required and sent to the patient; a paid booking is refunded. */
function CancelModal({ appointment, onClose, onCancelled }: { appointment: AdminAppointment | null; onClose: () => void; onCancelled: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const a = appointment;
  return (
    <ModalForm<{ reason: string }>
      title="取消预约"
      open={a !== null}
      form={form}
      width={480}
      modalProps={{ destroyOnHidden: true, onCancel: onClose }}
      submitter={{ searchConfig: { submitText: '确认取消预约', resetText: '返回' }, submitButtonProps: { danger: true } }}
      onFinish={async ({ reason }) => {
        if (!a) return false;
        try {
          await appointmentApi.cancel(a.id, reason.trim());
        } catch (e) {
          return formErrorHandler(form, e, { VALIDATION_FAILED: 'reason' });
        }
        message.success(`已取消预约 ${a.orderNo}${a.paidAt ? '，挂号费将原路退回' : ''}`);
        onCancelled();
        return true;
      }}
    >
      {a ? (
        <Descriptions column={1} size="small" style={{ marginBottom: 16 }}>
          <Descriptions.Item label="订单号">{a.orderNo}</Descriptions.Item>
          <Descriptions.Item label="就诊">
            {a.date} {PERIOD_LABEL[a.period]} {a.startTime} · {a.department.name} · {a.doctor.name}
          </Descriptions.Item>
          <Descriptions.Item label="就诊人">{a.patient.name}</Descriptions.Item>
          <Descriptions.Item label="挂号费">{a.paidAt ? `${yuan(a.feeFen)}（已支付，将原路退回）` : '未支付'}</Descriptions.Item>
        </Descriptions>
      ) : null}
      <ProFormTextArea
        name="reason"
        label="取消原因"
        placeholder="将通过短信和消息通知患者"
        fieldProps={{ maxLength: 200, showCount: true }}
        rules={[{ required: true, whitespace: true, message: '请填写取消原因' }]}
      />
    </ModalForm>
  );
}

function AppointmentDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const detail = useLoad(() => (id === null ? Promise.resolve(undefined) : appointmentApi.detail(id)), [id]);
  const d = detail.data;
  return (
    <Drawer title={d ? `预约详情 · ${d.appointment.orderNo}` : '预约详情'} width={640} open={id !== null} onClose={onClose} destroyOnHidden>
      {detail.loading ? (
        <Spin />
      ) : detail.error ? (
        <Alert type="error" showIcon message="加载失败" description={detail.error.message} />
      ) : !d ? (
        <Empty />
      ) : (
        <>
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label="状态">
              <Tag color={APPOINTMENT_STATUS_COLOR[d.appointment.status]}>{APPOINTMENT_STATUS_LABEL[d.appointment.status]}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label="挂号费">{yuan(d.appointment.feeFen)}</Descriptions.Item>
            <Descriptions.Item label="就诊时间" span={2}>
              {d.appointment.date} {PERIOD_LABEL[d.appointment.period]} {d.appointment.startTime}–{d.appointment.endTime}（序号 {d.appointment.queueNumber}）
            </Descriptions.Item>
            <Descriptions.Item label="科室">{d.appointment.department.name}</Descriptions.Item>
            <Descriptions.Item label="医生">{d.appointment.doctor.name}</Descriptions.Item>
            <Descriptions.Item label="就诊人">{d.appointment.patient.name}</Descriptions.Item>
            <Descriptions.Item label="手机号">{d.appointment.patient.phone}</Descriptions.Item>
            <Descriptions.Item label="证件号">{d.appointment.patient.idNumber}</Descriptions.Item>
            <Descriptions.Item label="下单时间">{shanghaiDateTime(d.appointment.createdAt)}</Descriptions.Item>
            {d.appointment.cancelledBy ? (
              <Descriptions.Item label="取消" span={2}>
                {CANCELLED_BY_LABEL[d.appointment.cancelledBy]}取消{d.appointment.cancelReason ? `：${d.appointment.cancelReason}` : ''}
              </Descriptions.Item>
            ) : null}
            <Descriptions.Item label="支付" span={2}>
              {d.payment
                ? `${yuan(d.payment.amountFen)}（${d.payment.provider}，${shanghaiDateTime(d.payment.paidAt)}）` +
                  (d.payment.refundAmountFen !== null
                    ? `；退款 ${yuan(d.payment.refundAmountFen)}${d.payment.refundedAt ? `，${shanghaiDateTime(d.payment.refundedAt)} 到账` : '，处理中'}`
                    : '')
                : '未支付'}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            经过
          </Typography.Title>
          {d.audit.length === 0 ? (
            <Empty description="没有记录" />
          ) : (
            <Timeline
              data-testid="appointment-history"
              items={d.audit.map((e) => ({
                color: e.outcome === 'success' ? 'blue' : 'red',
                children: (
                  <>
                    <div>
                      <b>{actionLabel(e.action)}</b> · {ACTOR_ROLE_LABEL[e.actor.role]} · {shanghaiDateTime(e.createdAt)}
                    </div>
                    {e.summary ? <pre className="audit-summary">{JSON.stringify(e.summary, null, 2)}</pre> : null}
                  </>
                ),
              }))}
            />
          )}
          <Typography.Title level={5}>消息</Typography.Title>
          {d.notifications.length === 0 ? (
            <Typography.Text type="secondary">没有发给该预约的消息</Typography.Text>
          ) : (
            <Timeline
              items={d.notifications.map((n) => ({
                color: n.status === 'sent' ? 'green' : n.status === 'failed' ? 'red' : 'gray',
                children: `${shanghaiDateTime(n.createdAt)} · ${n.channel} · ${n.template} · ${n.status === 'sent' ? '已发送' : n.status === 'failed' ? `失败（${n.lastError ?? ''}）` : n.status === 'skipped' ? '已失效未发送' : '待发送'}`,
              }))}
            />
          )}
        </>
      )}
    </Drawer>
  );
}
