/**
 * The two session actions of 排班管理 that change who sees the patients: 停诊 (shows first the
 * appointments it will cancel and which are refunded, then suspends with a reason) and 替诊
 * (hands the session to a doctor the server lists as eligible, with a reason).
 */
import { ModalForm, ProFormSelect, ProFormTextArea } from '@ant-design/pro-components';
import { Alert, Form, Table, Tag } from 'antd';
import { sessionApi } from '../api/endpoints';
import type { ClinicSession, Substitution, Suspension, SuspensionPreview } from '../api/schema';
import { formErrorHandler } from '../components/formErrors';
import { APPOINTMENT_STATUS_COLOR, APPOINTMENT_STATUS_LABEL, PERIOD_LABEL, TITLE_LABEL, yuan } from '../components/labels';
import { useLoad } from '../components/useLoad';

type Victim = SuspensionPreview['items'][number];

const heading = (s: ClinicSession, doctorName: string) => `${s.date} ${PERIOD_LABEL[s.period]} ${doctorName}`;

export function SuspendModal({ session, doctorName, onClose, onDone }: { session: ClinicSession; doctorName: string; onClose: () => void; onDone: (r: Suspension) => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const preview = useLoad(() => sessionApi.suspensionPreview(session.id), [session.id]);
  const items = preview.data?.items ?? [];
  const refunds = items.filter((a) => a.paid).length;
  return (
    <ModalForm<{ reason: string }>
      title={`停诊：${heading(session, doctorName)}`}
      open
      form={form}
      width={720}
      modalProps={{ destroyOnHidden: true, onCancel: onClose }}
      submitter={{ searchConfig: { submitText: '确认停诊' }, submitButtonProps: { danger: true, disabled: preview.loading || preview.error !== undefined } }}
      onFinish={async ({ reason }) => {
        try {
          onDone(await sessionApi.suspend(session.id, reason));
        } catch (e) {
          return formErrorHandler(form, e);
        }
        return true;
      }}
    >
      {preview.error ? (
        <Alert type="error" showIcon style={{ marginBottom: 16 }} message={`无法读取将取消的预约：${preview.error.message}`} />
      ) : (
        <Alert
          type={items.length > 0 ? 'warning' : 'info'}
          showIcon
          style={{ marginBottom: 12 }}
          message={preview.loading ? '正在读取将取消的预约…' : items.length > 0 ? `停诊将取消以下 ${items.length} 个预约，其中 ${refunds} 笔已支付将原路退款` : '该场次目前没有待就诊的预约'}
          description="待支付的订单直接取消，已支付的原路退款，并通知每位患者；已签到的患者不受影响。此操作不能撤销。"
        />
      )}
      <Table<Victim>
        data-testid="suspend-preview"
        rowKey="id"
        size="small"
        loading={preview.loading}
        pagination={false}
        scroll={{ y: 240 }}
        dataSource={items}
        locale={{ emptyText: '没有将被取消的预约' }}
        style={{ marginBottom: 16 }}
        columns={[
          { title: '序号', dataIndex: 'queueNumber', width: 64 },
          { title: '时段', dataIndex: 'startTime', width: 70 },
          { title: '患者', render: (_, a) => a.patient.name, width: 90 },
          { title: '手机号', render: (_, a) => a.patient.phone, width: 130 },
          { title: '状态', render: (_, a) => <Tag color={APPOINTMENT_STATUS_COLOR[a.status]}>{APPOINTMENT_STATUS_LABEL[a.status]}</Tag>, width: 90 },
          { title: '停诊后', render: (_, a) => (a.paid ? <Tag color="orange">退款 {yuan(a.feeFen)}</Tag> : <Tag>取消订单</Tag>) },
        ]}
      />
      <ProFormTextArea name="reason" label="停诊原因（将通知患者）" fieldProps={{ maxLength: 200, showCount: true, rows: 2 }} rules={[{ required: true, whitespace: true, message: '请填写停诊原因' }]} />
    </ModalForm>
  );
}

export function SubstituteModal({ session, doctorName, onClose, onDone }: { session: ClinicSession; doctorName: string; onClose: () => void; onDone: (r: Substitution) => void }) {
  const [form] = Form.useForm<{ doctorId: number; reason: string }>();
  const candidates = useLoad(() => sessionApi.substitutes(session.id).then((r) => r.items), [session.id]);
  const booked = session.slots.reduce((n, slot) => n + slot.booked, 0);
  return (
    <ModalForm<{ doctorId: number; reason: string }>
      title={`替诊：${heading(session, doctorName)}`}
      open
      form={form}
      width={520}
      modalProps={{ destroyOnHidden: true, onCancel: onClose }}
      submitter={{ searchConfig: { submitText: '确认替诊' } }}
      onFinish={async (values) => {
        try {
          onDone(await sessionApi.substitute(session.id, values));
        } catch (e) {
          return formErrorHandler(form, e, { SUBSTITUTE_SAME_DOCTOR: 'doctorId', SUBSTITUTE_NOT_ACTIVE: 'doctorId', SUBSTITUTE_OTHER_DEPARTMENT: 'doctorId', SUBSTITUTE_TITLE_TOO_LOW: 'doctorId', SUBSTITUTE_BUSY: 'doctorId', DOCTOR_NOT_FOUND: 'doctorId' });
        }
        return true;
      }}
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        message={booked > 0 ? `该场次的 ${booked} 个预约保留原号序，改由替诊医生接诊，并通知每位患者` : '该场次目前没有预约'}
        description="可选：本科室在职、职称不低于原医生、该日该时段没有出诊的医生。"
      />
      {candidates.error && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={`无法读取可替诊的医生：${candidates.error.message}`} />}
      <ProFormSelect
        name="doctorId"
        label="替诊医生"
        placeholder={candidates.loading ? '正在读取…' : candidates.data?.length ? '选择医生' : '没有符合条件的医生'}
        fieldProps={{ loading: candidates.loading, 'aria-label': '替诊医生' } as Record<string, unknown>}
        options={(candidates.data ?? []).map((d) => ({ value: d.id, label: `${d.name}（${TITLE_LABEL[d.title]}）` }))}
        rules={[{ required: true, message: '请选择替诊医生' }]}
      />
      <ProFormTextArea name="reason" label="替诊原因（记入审计日志）" fieldProps={{ maxLength: 200, showCount: true, rows: 2 }} rules={[{ required: true, whitespace: true, message: '请填写替诊原因' }]} />
    </ModalForm>
  );
}
