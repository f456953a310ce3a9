/**
 * 排班管理: a department's sessions for one week with booked / capacity; per slot a capacity
 * edit (never below what is booked: the server refuses), 加号 (an extra slot), 停诊 with a
 * preview of the appointments it cancels, and 替诊 (ScheduleActions.tsx); each row keeps what
 * its last 停诊 / 替诊 did.
 */
import { ModalForm, PageContainer, ProFormDigit, ProFormTimePicker, ProTable, type ProColumns } from '@ant-design/pro-components';
import { App, Button, DatePicker, Form, InputNumber, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { departmentApi, doctorApi, sessionApi } from '../api/endpoints';
import type { ClinicSession } from '../api/schema';
import { formErrorHandler } from '../components/formErrors';
import { PERIOD_LABEL, WEEKDAY_LABEL, yuan } from '../components/labels';
import { formatDay, mondayOf, shanghaiToday } from '../components/shanghai';
import { useLoad } from '../components/useLoad';
import { SubstituteModal, SuspendModal } from './ScheduleActions';

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
  const [substituting, setSubstituting] = useState<ClinicSession | null>(null);
  // What the last 停诊 / 替诊 of a row did, shown on the row until the page is left.
  const [outcomes, setOutcomes] = useState<Record<number, string>>({});
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
  const week = rows.reduce((t, s) => (s.status === 'open' ? { booked: t.booked + totals(s).booked, capacity: t.capacity + totals(s).capacity } : t), { booked: 0, capacity: 0 });

  const columns: ProColumns<ClinicSession>[] = [
    { title: '日期', dataIndex: 'date', width: 150, onCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (_, s) => `${s.date} ${WEEKDAY_LABEL[dayjs(s.date).day()]}` },
    { title: '时段', dataIndex: 'period', width: 160, onCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (_, s) => `${PERIOD_LABEL[s.period]} ${hm(s.startTime)}–${hm(s.endTime)}` },
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
      width: 230,
      render: (_, s) => (
        <Space direction="vertical" size={2} data-testid={`status-${s.id}`}>
          {s.status === 'suspended' ? (
            <Tag color="red" title={s.suspendReason ?? undefined}>已停诊{s.suspendReason ? `：${s.suspendReason}` : ''}</Tag>
          ) : s.date < today ? (
            <Tag>已结束</Tag>
          ) : (
            <Tag color="green">出诊</Tag>
          )}
          {outcomes[s.id] && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{outcomes[s.id]}</Typography.Text>}
        </Space>
      ),
    },
    {
      title: '操作',
      valueType: 'option',
      width: 150,
      render: (_, s) =>
        s.status === 'open' && s.date >= today
          ? [
              <a key="add" onClick={() => setAdding(s)}>加号</a>,
              <a key="substitute" onClick={() => setSubstituting(s)}>替诊</a>,
              <a key="suspend" style={{ color: '#cf1322' }} onClick={() => setSuspending(s)}>停诊</a>,
            ]
          : [],
    },
  ];

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
            <span data-testid="week-total" style={{ color: 'rgba(0,0,0,0.45)', fontSize: 13, whiteSpace: 'nowrap' }}>
              出诊 {rows.filter((s) => s.status === 'open').length} 个，已约 {week.booked} / 号源 {week.capacity}
            </span>
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
      {suspending && (
        <SuspendModal
          session={suspending}
          doctorName={doctorName(suspending.doctorId)}
          onClose={() => setSuspending(null)}
          onDone={(r) => {
            const text = `取消 ${r.cancelledAppointments} 个预约，退款 ${r.refundedAppointments} 笔，通知 ${r.notifiedPatients} 位患者`;
            message.success(`已停诊：${text}`, 6);
            setOutcomes((o) => ({ ...o, [suspending.id]: text }));
            setSuspending(null);
            sessions.reload();
          }}
        />
      )}
      {substituting && (
        <SubstituteModal
          session={substituting}
          doctorName={doctorName(substituting.doctorId)}
          onClose={() => setSubstituting(null)}
          onDone={(r) => {
            const text = `${doctorName(r.fromDoctorId)} → ${doctorName(r.toDoctorId)}，转移 ${r.movedAppointments} 个预约，通知 ${r.notifiedPatients} 位患者`;
            message.success(`已替诊：${text}`, 6);
            setOutcomes((o) => ({ ...o, [substituting.id]: `替诊：${text}` }));
            setSubstituting(null);
            sessions.reload();
          }}
        />
      )}
    </PageContainer>
  );
}
