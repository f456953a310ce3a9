/**
 * 出诊模板: a doctor's weekly templates (create, edit, delete; edits reach the sessions not yet
 * released, the server's rule), and the generator run on demand for a chosen range of dates
 * (GenerateSessions), showing what it made and what it skipped. The daily job covers the
 * booking rules' horizon (today to days-ahead + 7) by itself.
 */
import { ModalForm, PageContainer, ProCard, ProFormDigit, ProFormSelect, ProFormSwitch, ProFormTimePicker, ProTable, type ProColumns } from '@ant-design/pro-components';
import { App, Button, Form, Popconfirm, Select, Space, Tag } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { departmentApi, doctorApi, templateApi } from '../api/endpoints';
import type { ScheduleTemplate, TemplateInput } from '../api/schema';
import { formErrorHandler } from '../components/formErrors';
import { PERIOD_LABEL, TITLE_LABEL, WEEKDAY_LABEL, yuan } from '../components/labels';
import { GenerateSessions } from './GenerateSessions';
import { useLoad } from '../components/useLoad';

type FormValues = Omit<TemplateInput, 'feeFen'> & { feeYuan: number };
/** ISO weekday (1 = 周一 … 7 = 周日) as the server counts it. */
const weekdayLabel = (weekday: number) => WEEKDAY_LABEL[weekday % 7];
const WEEKDAY_OPTIONS = [1, 2, 3, 4, 5, 6, 7].map((w) => ({ value: w, label: weekdayLabel(w) }));
const hm = (time: string) => time.slice(0, 5);

export function TemplatesPage() {
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [departmentId, setDepartmentId] = useState<number | undefined>();
  const [doctorId, setDoctorId] = useState<number | undefined>();
  const [editing, setEditing] = useState<ScheduleTemplate | 'new' | null>(null);
  const departments = useLoad(() => departmentApi.list().then((r) => r.items), []);
  const choices = useMemo(() => (departments.data ?? []).filter((d) => d.doctorCount > 0), [departments.data]);
  useEffect(() => {
    if (departmentId === undefined && choices[0]) setDepartmentId(choices[0].id);
  }, [choices, departmentId]);
  const doctors = useLoad(() => (departmentId === undefined ? Promise.resolve([]) : doctorApi.list(departmentId).then((r) => r.items)), [departmentId]);
  useEffect(() => {
    const list = doctors.data ?? [];
    if (list.length > 0 && !list.some((d) => d.id === doctorId)) setDoctorId(list[0]!.id);
  }, [doctors.data, doctorId]);
  const templates = useLoad(() => (doctorId === undefined ? Promise.resolve([]) : templateApi.list(doctorId).then((r) => r.items)), [doctorId]);
  const [rows, setRows] = useState<ScheduleTemplate[]>([]);
  useEffect(() => setRows(templates.data ?? []), [templates.data]);
  const doctor = doctors.data?.find((d) => d.id === doctorId);

  async function remove(t: ScheduleTemplate) {
    try {
      setRows((await templateApi.remove(t.doctorId, t.id)).items);
      message.success('已删除模板');
    } catch (e) {
      message.error((e as Error).message);
    }
  }

  const columns: ProColumns<ScheduleTemplate>[] = [
    { title: '星期', dataIndex: 'weekday', width: 80, render: (_, t) => weekdayLabel(t.weekday) },
    { title: '时段', dataIndex: 'period', width: 150, render: (_, t) => `${PERIOD_LABEL[t.period]} ${hm(t.startTime)}–${hm(t.endTime)}` },
    { title: '每号时长', dataIndex: 'slotMinutes', width: 100, align: 'right', render: (_, t) => `${t.slotMinutes} 分钟` },
    { title: '每时段号源', dataIndex: 'capacityPerSlot', width: 110, align: 'right' },
    { title: '挂号费', dataIndex: 'feeFen', width: 100, align: 'right', render: (_, t) => yuan(t.feeFen) },
    { title: '状态', dataIndex: 'active', width: 90, render: (_, t) => (t.active ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
    {
      title: '操作',
      valueType: 'option',
      width: 120,
      render: (_, t) => [
        <a key="edit" onClick={() => setEditing(t)}>编辑</a>,
        <Popconfirm key="delete" title="删除该模板？" description="未放号的排班将随之移除（已有预约的保留）。" okText="删除" cancelText="取消" onConfirm={() => remove(t)}>
          <a style={{ color: '#cf1322' }}>删除</a>
        </Popconfirm>,
      ],
    },
  ];

  return (
    <PageContainer title="出诊模板" subTitle="医生每周固定出诊安排，按模板生成排班">
      <ProTable<ScheduleTemplate>
        rowKey="id"
        columns={columns}
        dataSource={rows}
        loading={templates.loading || doctors.loading}
        search={false}
        pagination={false}
        options={{ reload: templates.reload, density: false, setting: false }}
        locale={{ emptyText: templates.error ? `加载失败：${templates.error.message}` : doctorId === undefined ? '请选择医生' : '该医生还没有出诊模板' }}
        headerTitle={
          <Space>
            <Select aria-label="科室" style={{ width: 180 }} showSearch optionFilterProp="label" placeholder="选择科室" value={departmentId} onChange={(id) => { setDepartmentId(id); setDoctorId(undefined); }} options={choices.map((d) => ({ value: d.id, label: d.name }))} />
            <Select aria-label="医生" style={{ width: 200 }} showSearch optionFilterProp="label" placeholder="选择医生" value={doctorId} onChange={setDoctorId} options={(doctors.data ?? []).map((d) => ({ value: d.id, label: `${d.name}（${TITLE_LABEL[d.title]}）${d.active ? '' : ' 已停诊'}` }))} />
          </Space>
        }
        toolBarRender={() => [
          <Button key="new" type="primary" disabled={doctorId === undefined} onClick={() => setEditing('new')}>新增模板</Button>,
        ]}
      />
      <GenerateSessions departmentId={departmentId} doctorId={doctorId} departmentName={choices.find((d) => d.id === departmentId)?.name} doctorName={doctor?.name} />
      <ModalForm<FormValues>
        title={editing === 'new' ? `新增出诊模板：${doctor?.name ?? ''}` : '编辑出诊模板'}
        open={editing !== null}
        form={form}
        width={480}
        modalProps={{ destroyOnHidden: true, onCancel: () => setEditing(null) }}
        submitter={{ searchConfig: { submitText: '保存' } }}
        initialValues={
          editing && editing !== 'new'
            ? { weekday: editing.weekday, startTime: hm(editing.startTime), endTime: hm(editing.endTime), slotMinutes: editing.slotMinutes, capacityPerSlot: editing.capacityPerSlot, feeYuan: editing.feeFen / 100, active: editing.active }
            : { weekday: 1, startTime: '08:00', endTime: '12:00', slotMinutes: 30, capacityPerSlot: 5, feeYuan: (doctor?.defaultFeeFen ?? 0) / 100, active: true }
        }
        onFinish={async ({ feeYuan, ...values }) => {
          if (doctorId === undefined || editing === null) return false;
          const body: TemplateInput = { ...values, feeFen: Math.round(feeYuan * 100) };
          try {
            const saved = editing === 'new' ? await templateApi.create(doctorId, body) : await templateApi.update(doctorId, editing.id, body);
            setRows(saved.items);
          } catch (e) {
            return formErrorHandler(form, e, { SESSION_TIMES_INVALID: 'endTime', SESSION_EXISTS: 'weekday' });
          }
          message.success(editing === 'new' ? '已新增模板' : '已保存模板');
          setEditing(null);
          return true;
        }}
      >
        <ProFormSelect name="weekday" label="星期" options={WEEKDAY_OPTIONS} rules={[{ required: true, message: '请选择星期' }]} />
        <Space>
          <ProFormTimePicker name="startTime" label="开始时间" fieldProps={{ format: 'HH:mm', minuteStep: 5 }} rules={[{ required: true, message: '请选择开始时间' }]} />
          <ProFormTimePicker name="endTime" label="结束时间" fieldProps={{ format: 'HH:mm', minuteStep: 5 }} rules={[{ required: true, message: '请选择结束时间' }]} />
        </Space>
        <Space>
          <ProFormDigit name="slotMinutes" label="每号时长（分钟）" min={5} max={240} fieldProps={{ precision: 0 }} rules={[{ required: true, message: '请输入每号时长' }]} />
          <ProFormDigit name="capacityPerSlot" label="每时段号源数" min={1} max={200} fieldProps={{ precision: 0 }} rules={[{ required: true, message: '请输入号源数' }]} />
        </Space>
        <ProFormDigit name="feeYuan" label="挂号费（元）" min={0} max={10000} fieldProps={{ precision: 2 }} rules={[{ required: true, message: '请输入挂号费' }]} />
        <ProFormSwitch name="active" label="启用" />
      </ModalForm>
    </PageContainer>
  );
}
