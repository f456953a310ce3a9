/**
 * 排班管理: a department's sessions for one week with booked / capacity; per slot a capacity
 * edit (never below what is booked: the server refuses), 加号 (an extra slot), and 停诊 with a
 * preview of what it cancels (every appointment not yet seen is cancelled, refunded and told).
 */
import { ModalForm, PageContainer, ProFormDigit, ProFormTextArea, ProFormTimePicker, ProTable, type ProColumns } from '@ant-design/pro-components';
import { Alert, App, Button, DatePicker, Form, InputNumber, Progress, Select, Space, Table, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { departmentApi, doctorApi, sessionApi } from '../api/endpoints';
import type { ClinicSession } from '../api/schema';
import { formErrorHandler } from '../components/formErrors';
import { PERIOD_LABEL, WEEKDAY_LABEL, yuan } from '../components/labels';
import { formatDay, mondayOf, shanghaiToday } from '../components/shanghai';
import { useLoad } from '../components/useLoad';

type Slot = ClinicSession['slots'][number];
const totals = (s: ClinicSession) => s.slots.reduce((t, slot) => ({ booked: t.booked + slot.booked, capacity: t.capacity + slot.capacity }), { booked: 0, capacity: 0 });
const hm = (time: string) => time.slice(0, 5);

function SlotCapacity({ slot, disabled, onSaved }: { slot: Slot; disabled: boolean; onSaved: (s: ClinicSession) => void }) {
  const { message } = App.useApp();
  const [value, setValue] = useState<number | null>(slot.capacity);
  const [saving, setSaving] = useState(false);
  useEffect(() => setValue(slot.capacity), [slot.capacity]);
  async function save() {
    if (value === null || value === slot.capacity) return;
    setSaving(true);
    try {
      onSaved(await sessionApi.setCapacity(slot.id, value));
      message.success(`${hm(slot.startTime)} 时段号源已改为 ${value}`);
    } catch (e) {
      message.error((e as Error).message);
      setValue(slot.capacity);
    } finally {
      setSaving(false);
    }
  }
  return (
    <Space>
      <InputNumber aria-label={`${hm(slot.startTime)} 号源数`} size="small" min={slot.booked} max={200} precision={0} value={value} disabled={disabled} onChange={setValue} onPressEnter={save} style={{ width: 80 }} />
      {value !== slot.capacity && (
        <Button size="small" type="link" loading={saving} onClick={save}>
          保存
        </Button>
      )}
    </Space>
  );
}

export function SchedulePage() {
  const { message } = App.useApp();
  const [departmentId, setDepartmentId] = useState<number | undefined>();
  const [monday, setMonday] = useState<Dayjs>(() => mondayOf(shanghaiToday()));
  const [adding, setAdding] = useState<ClinicSession | null>(null);
  const [suspending, setSuspending] = useState<ClinicSession | null>(null);
  const [addForm] = Form.useForm();
  const [suspendForm] = Form.useForm<{ reason: string }>();
  const departments = useLoad(() => departmentApi.list().then((r) => r.items), []);
  // Departments that hold doctors: a 大科 with only 小科 beneath has no sessions of its own.
  const choices = useMemo(() => (departments.data ?? []).filter((d) => d.doctorCount > 0), [departments.data]);
  useEffect(() => {
    if (departmentId === undefined && choices[0]) setDepartmentId(choices[0].id);
  }, [choices, departmentId]);
  const from = formatDay(monday);
  const to = formatDay(monday.add(6, 'day'));
  const sessions = useLoad(
    () => (departmentId === undefined ? Promise.resolve([]) : sessionApi.list({ departmentId: String(departmentId), from, to }).then((r) => r.items)),
    [departmentId, from, to],
  );
  const doctors = useLoad(() => (departmentId === undefined ? Promise.resolve([]) : doctorApi.list(departmentId).then((r) => r.items)), [departmentId]);
  const [rows, setRows] = useState<ClinicSession[]>([]);
  useEffect(() => setRows(sessions.data ?? []), [sessions.data]);
  const doctorName = (id: number) => doctors.data?.find((d) => d.id === id)?.name ?? `医生 #${id}`;
  const replace = (updated: ClinicSession) => setRows((list) => list.map((s) => (s.id === updated.id ? updated : s)));
  const today = shanghaiToday();

  const columns: ProColumns<ClinicSession>[] = [
    { title: '日期', dataIndex: 'date', width: 140, render: (_, s) => `${s.date} ${WEEKDAY_LABEL[dayjs(s.date).day()]}` },
    { title: '时段', dataIndex: 'period', width: 150, render: (_, s) => `${PERIOD_LABEL[s.period]} ${hm(s.startTime)}–${hm(s.endTime)}` },
    { title: '医生', dataIndex: 'doctorId', width: 100, render: (_, s) => doctorName(s.doctorId) },
    { title: '挂号费', dataIndex: 'feeFen', width: 90, align: 'right', render: (_, s) => yuan(s.feeFen) },
    {
      title: '已约 / 号源',
      key: 'booked',
      width: 200,
      render: (_, s) => {
        const t = totals(s);
        return (
          <Space>
            <span data-testid={`booked-${s.id}`}>{t.booked} / {t.capacity}</span>
            <Progress percent={t.capacity ? Math.round((t.booked / t.capacity) * 100) : 0} size="small" style={{ width: 80, margin: 0 }} showInfo={false} />
          </Space>
        );
      },
    },
    {
      title: '状态',
      dataIndex: 'status',
      width: 160,
      render: (_, s) =>
        s.status === 'suspended' ? (
          <Tag color="red" title={s.suspendReason ?? undefined}>停诊{s.suspendReason ? `：${s.suspendReason}` : ''}</Tag>
        ) : s.date < today ? (
          <Tag>已结束</Tag>
        ) : (
          <Tag color="green">出诊</Tag>
        ),
    },
    {
      title: '操作',
      valueType: 'option',
      width: 110,
      render: (_, s) =>
        s.status === 'open' && s.date >= today
          ? [
              <a key="add" onClick={() => setAdding(s)}>加号</a>,
              <a key="suspend" style={{ color: '#cf1322' }} onClick={() => setSuspending(s)}>停诊</a>,
            ]
          : [],
    },
  ];

  const preview = suspending ? totals(suspending).booked : 0;
  return (
    <PageContainer title="排班管理" subTitle="按科室、按周查看出诊与号源">
      <ProTable<ClinicSession>
        rowKey="id"
        columns={columns}
        dataSource={rows}
        loading={sessions.loading || departments.loading}
        search={false}
        pagination={false}
        options={{ reload: sessions.reload, density: false, setting: false }}
        locale={{ emptyText: sessions.error ? `加载失败：${sessions.error.message}` : '本周该科室没有排班' }}
        headerTitle={
          <Space>
            <Select
              aria-label="科室"
              style={{ width: 200 }}
              showSearch
              optionFilterProp="label"
              placeholder="选择科室"
              value={departmentId}
              onChange={setDepartmentId}
              options={choices.map((d) => ({ value: d.id, label: d.name }))}
            />
            <Button onClick={() => setMonday((m) => m.subtract(7, 'day'))}>上一周</Button>
            <DatePicker picker="week" allowClear={false} value={monday} onChange={(d) => d && setMonday(mondayOf(d))} format={() => `${from} 至 ${to}`} style={{ width: 230 }} />
            <Button onClick={() => setMonday((m) => m.add(7, 'day'))}>下一周</Button>
            <Button type="link" onClick={() => setMonday(mondayOf(shanghaiToday()))}>本周</Button>
          </Space>
        }
        expandable={{
          expandedRowRender: (s) => (
            <Table<Slot>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={s.slots}
              columns={[
                { title: '号源时段', render: (_, slot) => `${hm(slot.startTime)}–${hm(slot.endTime)}`, width: 140 },
                { title: '已约', dataIndex: 'booked', width: 80, align: 'right' },
                { title: '余号', dataIndex: 'remaining', width: 80, align: 'right' },
                {
                  title: '号源数（不少于已约）',
                  render: (_, slot) => <SlotCapacity slot={slot} disabled={s.status !== 'open' || s.date < today} onSaved={replace} />,
                },
              ]}
            />
          ),
        }}
      />
      <ModalForm
        title={adding ? `加号：${adding.date} ${PERIOD_LABEL[adding.period]} ${doctorName(adding.doctorId)}` : '加号'}
        open={adding !== null}
        form={addForm}
        width={420}
        modalProps={{ destroyOnHidden: true, onCancel: () => setAdding(null) }}
        submitter={{ searchConfig: { submitText: '加号' } }}
        initialValues={{ capacity: 5 }}
        onFinish={async (values: { startTime: string; endTime: string; capacity: number }) => {
          if (!adding) return false;
          try {
            replace(await sessionApi.addSlot(adding.id, values));
          } catch (e) {
            return formErrorHandler(addForm, e);
          }
          message.success('已加号');
          setAdding(null);
          return true;
        }}
      >
        <ProFormTimePicker name="startTime" label="开始时间" fieldProps={{ format: 'HH:mm', minuteStep: 5 }} rules={[{ required: true, message: '请选择开始时间' }]} />
        <ProFormTimePicker name="endTime" label="结束时间" fieldProps={{ format: 'HH:mm', minuteStep: 5 }} rules={[{ required: true, message: '请选择结束时间' }]} />
        <ProFormDigit name="capacity" label="号源数" min={1} max={200} fieldProps={{ precision: 0 }} rules={[{ required: true, message: '请输入号源数' }]} />
      </ModalForm>
      <ModalForm<{ reason: string }>
        title={suspending ? `停诊：${suspending.date} ${PERIOD_LABEL[suspending.period]} ${doctorName(suspending.doctorId)}` : '停诊'}
        open={suspending !== null}
        form={suspendForm}
        width={480}
        modalProps={{ destroyOnHidden: true, onCancel: () => setSuspending(null) }}
        submitter={{ searchConfig: { submitText: '确认停诊' }, submitButtonProps: { danger: true } }}
        onFinish={async ({ reason }) => {
          if (!suspending) return false;
          try {
            const result = await sessionApi.suspend(suspending.id, reason);
            message.success(`已停诊：取消 ${result.cancelledAppointments} 个预约，退款 ${result.refundedAppointments} 笔，通知 ${result.notifiedPatients} 位患者`, 6);
          } catch (e) {
            return formErrorHandler(suspendForm, e);
          }
          setSuspending(null);
          sessions.reload();
          return true;
        }}
      >
        <Alert
          type={preview > 0 ? 'warning' : 'info'}
          showIcon
          style={{ marginBottom: 16 }}
          message={preview > 0 ? `停诊将取消该场次已预约的 ${preview} 个号` : '该场次目前没有预约'}
          description={preview > 0 ? '待支付的订单直接取消，已支付的原路退款，并短信通知每位患者。此操作不能撤销。' : '停诊后患者将不能再预约该场次。此操作不能撤销。'}
        />
        <ProFormTextArea name="reason" label="停诊原因（将通知患者）" fieldProps={{ maxLength: 200, showCount: true, rows: 3 }} rules={[{ required: true, whitespace: true, message: '请填写停诊原因' }]} />
      </ModalForm>
    </PageContainer>
  );
}
