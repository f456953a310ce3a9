/**
 * 医生管理: every doctor (active or not), filtered by department on the server and by name /
 * phone / specialty here; create a doctor with their login account (the initial password is shown
 * once, then never again), edit, deactivate / reactivate.
 */
import { PlusOutlined } from '@ant-design/icons';
import {
  DrawerForm,
  PageContainer,
  ProFormDigit,
  ProFormGroup,
  ProFormSelect,
  ProFormSwitch,
  ProFormText,
  ProFormTextArea,
  ProTable,
  type ProColumns,
} from '@ant-design/pro-components';
import { App, Button, Form, Input, Popconfirm, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { departmentApi, doctorApi } from '../api/endpoints';
import type { AdminDoctor, DoctorInput, NewDoctorInput } from '../api/schema';
import { formErrorHandler } from '../components/formErrors';
import { enumOptions, initialPassword, TITLE_LABEL, yuan } from '../components/labels';
import { useLoad } from '../components/useLoad';

type FormValues = Omit<NewDoctorInput, 'defaultFeeFen'> & { feeYuan: number };

function inputOf(d: AdminDoctor): DoctorInput {
  return {
    departmentId: d.departmentId,
    name: d.name,
    title: d.title,
    specialty: d.specialty,
    intro: d.intro,
    photoUrl: d.photoUrl,
    defaultFeeFen: d.defaultFeeFen,
    sortOrder: d.sortOrder,
    active: d.active,
  };
}

function bodyOf(values: FormValues): DoctorInput {
  return {
    departmentId: values.departmentId,
    name: values.name,
    title: values.title,
    specialty: values.specialty ?? '',
    intro: values.intro?.trim() ? values.intro : null,
    photoUrl: values.photoUrl?.trim() ? values.photoUrl.trim() : null,
    defaultFeeFen: Math.round(values.feeYuan * 100),
    sortOrder: values.sortOrder ?? 0,
    active: values.active ?? true,
  };
}

export function DoctorsPage() {
  const { message, modal } = App.useApp();
  const [departmentId, setDepartmentId] = useState<number | undefined>();
  const [keyword, setKeyword] = useState('');
  const [editing, setEditing] = useState<AdminDoctor | 'new' | null>(null);
  const [form] = Form.useForm<FormValues>();
  const departments = useLoad(() => departmentApi.list().then((r) => r.items), []);
  const doctors = useLoad(() => doctorApi.list(departmentId).then((r) => r.items), [departmentId]);
  const rows = useMemo(() => {
    const k = keyword.trim();
    const all = doctors.data ?? [];
    return k ? all.filter((d) => d.name.includes(k) || d.phone.includes(k) || d.specialty.includes(k)) : all;
  }, [doctors.data, keyword]);
  const departmentOptions = (departments.data ?? []).map((d) => ({ value: d.id, label: d.active ? d.name : `${d.name}（已停用）` }));

  async function setActive(d: AdminDoctor, active: boolean) {
    try {
      await doctorApi.update(d.id, { ...inputOf(d), active });
      message.success(active ? `已启用 ${d.name}` : `已停用 ${d.name}`);
      doctors.reload();
    } catch (e) {
      message.error((e as Error).message);
    }
  }

  const columns: ProColumns<AdminDoctor>[] = [
    { title: '姓名', dataIndex: 'name', width: 100, sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN') },
    { title: '科室', dataIndex: 'departmentName', width: 130 },
    { title: '职称', dataIndex: 'titleLabel', width: 110 },
    { title: '擅长', dataIndex: 'specialty', ellipsis: true },
    { title: '登录手机号', dataIndex: 'phone', width: 130 },
    { title: '挂号费', dataIndex: 'defaultFeeFen', width: 100, align: 'right', render: (_, d) => yuan(d.defaultFeeFen), sorter: (a, b) => a.defaultFeeFen - b.defaultFeeFen },
    { title: '状态', dataIndex: 'active', width: 90, render: (_, d) => (d.active ? <Tag color="green">在岗</Tag> : <Tag>已停用</Tag>) },
    {
      title: '操作',
      valueType: 'option',
      width: 130,
      render: (_, d) => [
        <a key="edit" onClick={() => setEditing(d)}>编辑</a>,
        d.active ? (
          <Popconfirm key="off" title={`停用医生「${d.name}」？`} description="停用后患者端不再显示该医生。" okText="停用" cancelText="取消" onConfirm={() => setActive(d, false)}>
            <a>停用</a>
          </Popconfirm>
        ) : (
          <a key="on" onClick={() => setActive(d, true)}>启用</a>
        ),
      ],
    },
  ];

  /** Shown once: the server keeps only the password's hash. */
  function showInitialPassword(doctor: AdminDoctor, password: string) {
    modal.success({
      title: `已创建医生 ${doctor.name} 的登录账号`,
      width: 480,
      content: (
        <div data-testid="initial-password">
          <p>登录手机号：{doctor.phone}</p>
          <p>
            初始密码：<Typography.Text code copyable strong>{password}</Typography.Text>
          </p>
          <Typography.Text type="warning">初始密码只显示这一次，请立即转交医生本人，并提醒其登录后修改密码。</Typography.Text>
        </div>
      ),
      okText: '我已记下',
    });
  }

  const current = editing === 'new' || editing === null ? undefined : editing;
  return (
    <PageContainer title="医生管理" subTitle="新增医生时同时创建其登录账号">
      <ProTable<AdminDoctor>
        rowKey="id"
        columns={columns}
        dataSource={rows}
        loading={doctors.loading}
        search={false}
        pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (total) => `共 ${total} 位医生` }}
        locale={{ emptyText: doctors.error ? `加载失败：${doctors.error.message}` : '暂无医生' }}
        options={{ reload: doctors.reload, density: false, setting: false }}
        headerTitle={
          <ProFormSelect
            noStyle
            placeholder="全部科室"
            allowClear
            showSearch
            options={departmentOptions}
            fieldProps={{ value: departmentId, onChange: (v) => setDepartmentId(v as number | undefined), style: { width: 200 } }}
          />
        }
        toolbar={{
          actions: [
            <Input.Search key="q" placeholder="姓名 / 手机号 / 擅长" allowClear onSearch={setKeyword} style={{ width: 220 }} />,
            <Button key="new" type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              新增医生
            </Button>,
          ],
        }}
      />
      <DrawerForm<FormValues>
        key={current?.id ?? 'new'}
        title={current ? `编辑医生：${current.name}` : '新增医生'}
        open={editing !== null}
        form={form}
        width={560}
        drawerProps={{ destroyOnHidden: true, onClose: () => setEditing(null) }}
        submitter={{ searchConfig: { submitText: current ? '保存' : '创建医生及账号' } }}
        initialValues={
          current
            ? { ...inputOf(current), feeYuan: current.defaultFeeFen / 100 }
            : { title: 'attending', feeYuan: 10, sortOrder: 0, active: true, password: initialPassword(), departmentId }
        }
        onFinish={async (values) => {
          const body = bodyOf(values);
          try {
            if (current) {
              await doctorApi.update(current.id, body);
              message.success('医生信息已保存');
            } else {
              const created = await doctorApi.create({ ...body, phone: values.phone, password: values.password });
              showInitialPassword(created, values.password);
            }
          } catch (e) {
            return formErrorHandler(form, e, { PHONE_ALREADY_REGISTERED: 'phone', DEPARTMENT_NOT_FOUND: 'departmentId' });
          }
          setEditing(null);
          doctors.reload();
          return true;
        }}
      >
        <ProFormGroup>
          <ProFormText name="name" label="姓名" width="sm" rules={[{ required: true, message: '请输入姓名' }, { min: 2, max: 50, message: '姓名为 2–50 个字' }]} />
          <ProFormSelect name="title" label="职称" width="sm" options={enumOptions(TITLE_LABEL)} rules={[{ required: true, message: '请选择职称' }]} />
        </ProFormGroup>
        <ProFormGroup>
          <ProFormSelect name="departmentId" label="科室" width="sm" showSearch options={departmentOptions} rules={[{ required: true, message: '请选择科室' }]} />
          <ProFormDigit name="feeYuan" label="挂号费（元）" width="sm" min={0} max={10000} fieldProps={{ precision: 2 }} rules={[{ required: true, message: '请输入挂号费' }]} />
        </ProFormGroup>
        {!current && (
          <ProFormGroup title="登录账号">
            <ProFormText
              name="phone"
              label="登录手机号"
              width="sm"
              rules={[
                { required: true, message: '请输入手机号' },
                { pattern: /^1[3-9]\d{9}$/, message: '请输入正确的 11 位手机号' },
              ]}
            />
            <ProFormText
              name="password"
              label="初始密码"
              width="sm"
              tooltip="已随机生成；创建后只显示一次"
              rules={[
                { required: true, message: '请输入初始密码' },
                { min: 8, max: 64, message: '密码为 8–64 位' },
                { pattern: /^(?=.*[A-Za-z])(?=.*\d)/, message: '密码须同时包含字母和数字' },
              ]}
            />
          </ProFormGroup>
        )}
        <ProFormText name="specialty" label="擅长" rules={[{ max: 255 }]} />
        <ProFormTextArea name="intro" label="简介" fieldProps={{ rows: 3, maxLength: 2000, showCount: true }} />
        <ProFormText name="photoUrl" label="照片地址" placeholder="https://…" rules={[{ type: 'url', message: '请输入 http(s) 网址' }, { max: 500 }]} />
        <ProFormGroup>
          <ProFormDigit name="sortOrder" label="排序" width="xs" min={0} max={9999} fieldProps={{ precision: 0 }} />
          <ProFormSwitch name="active" label="在岗" />
        </ProFormGroup>
      </DrawerForm>
    </PageContainer>
  );
}
