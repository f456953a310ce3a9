/**
 * 科室管理: the department tree (大科 → 小科), create, edit, reorder by dragging
 * (DepartmentOrder.tsx), deactivate / reactivate. A
 * deactivated department disappears from the patient app; its doctors stay listed here.
 */
import { DragOutlined, PlusOutlined } from '@ant-design/icons';
import { ModalForm, PageContainer, ProFormDigit, ProFormSelect, ProFormSwitch, ProFormText, ProFormTextArea, ProTable, type ProColumns } from '@ant-design/pro-components';
import { App, Button, Form, Popconfirm, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { departmentApi } from '../api/endpoints';
import type { AdminDepartment, DepartmentInput } from '../api/schema';
import { useLoad } from '../components/useLoad';
import { formErrorHandler } from '../components/formErrors';
import { toTree, type DepartmentNode as Node } from '../api/departmentTree';
import { DepartmentOrderModal } from './DepartmentOrder';

function inputOf(d: AdminDepartment): DepartmentInput {
  return { code: d.code, name: d.name, parentId: d.parentId, intro: d.intro, location: d.location, sortOrder: d.sortOrder, active: d.active };
}

export function DepartmentsPage() {
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoad(() => departmentApi.list().then((r) => r.items), []);
  const [keyword, setKeyword] = useState('');
  const [editing, setEditing] = useState<AdminDepartment | 'new' | null>(null);
  const [ordering, setOrdering] = useState(false);
  const [form] = Form.useForm<DepartmentInput>();
  const departments = data ?? [];
  const tree = useMemo(() => {
    const k = keyword.trim();
    if (!k) return toTree(departments);
    // A search shows the matching departments flat: a match deep in the tree is not hidden under a collapsed parent.
    return departments.filter((d) => d.name.includes(k) || d.code.includes(k.toUpperCase())).map((d) => ({ ...d }));
  }, [departments, keyword]);
  const nameOf = (id: number | null) => departments.find((d) => d.id === id)?.name ?? '—';

  async function setActive(d: AdminDepartment, active: boolean) {
    try {
      await departmentApi.update(d.id, { ...inputOf(d), active });
      message.success(active ? `已启用 ${d.name}` : `已停用 ${d.name}`);
      reload();
    } catch (e) {
      message.error((e as Error).message);
    }
  }

  const columns: ProColumns<Node>[] = [
    { title: '科室名称', dataIndex: 'name', width: 200 },
    { title: '编码', dataIndex: 'code', width: 100 },
    { title: '上级科室', dataIndex: 'parentId', width: 110, render: (_, d) => (d.parentId === null ? '—' : nameOf(d.parentId)) },
    { title: '位置', dataIndex: 'location', width: 220, ellipsis: true },
    { title: '医生数', dataIndex: 'doctorCount', width: 80, align: 'right' },
    { title: '排序', dataIndex: 'sortOrder', width: 70, align: 'right' },
    { title: '状态', dataIndex: 'active', width: 80, render: (_, d) => (d.active ? <Tag color="green">启用</Tag> : <Tag>已停用</Tag>) },
    {
      title: '操作',
      valueType: 'option',
      width: 110,
      render: (_, d) => [
        <a key="edit" onClick={() => setEditing(d)}>编辑</a>,
        d.active ? (
          <Popconfirm key="off" title={`停用「${d.name}」？`} description="停用后患者端不再显示该科室。" okText="停用" cancelText="取消" onConfirm={() => setActive(d, false)}>
            <a>停用</a>
          </Popconfirm>
        ) : (
          <a key="on" onClick={() => setActive(d, true)}>启用</a>
        ),
      ],
    },
  ];

  const current = editing === 'new' || editing === null ? undefined : editing;
  return (
    <PageContainer title="科室管理" subTitle="大科 → 小科；停用后患者端不再显示">
      <ProTable<Node>
        rowKey="id"
        columns={columns}
        dataSource={tree}
        loading={loading}
        search={false}
        pagination={false}
        expandable={{ defaultExpandAllRows: true }}
        key={tree.length /* re-expand once loaded */}
        locale={{ emptyText: error ? `加载失败：${error.message}` : '暂无科室' }}
        options={{ reload, density: false, setting: false }}
        toolbar={{
          search: { placeholder: '按名称或编码搜索', allowClear: true, onSearch: setKeyword, style: { width: 240 } },
          actions: [
            <Button key="order" icon={<DragOutlined />} disabled={departments.length < 2} onClick={() => setOrdering(true)}>
              调整顺序
            </Button>,
            <Button key="new" type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              新增科室
            </Button>,
          ],
        }}
      />
      <DepartmentOrderModal open={ordering} departments={departments} onClose={() => setOrdering(false)} onSaved={reload} />
      <ModalForm<DepartmentInput>
        key={current?.id ?? 'new'}
        title={current ? `编辑科室：${current.name}` : '新增科室'}
        open={editing !== null}
        form={form}
        width={560}
        modalProps={{ destroyOnHidden: true, onCancel: () => setEditing(null) }}
        submitter={{ searchConfig: { submitText: '保存' } }}
        initialValues={current ? inputOf(current) : { parentId: null, sortOrder: 0, active: true }}
        onFinish={async (values) => {
          const body: DepartmentInput = {
            ...values,
            parentId: values.parentId ?? null,
            intro: values.intro?.trim() ? values.intro : null,
            location: values.location?.trim() ? values.location : null,
          };
          try {
            if (current) await departmentApi.update(current.id, body);
            else await departmentApi.create(body);
          } catch (e) {
            return formErrorHandler(form, e, { DEPARTMENT_CODE_TAKEN: 'code', DEPARTMENT_PARENT_INVALID: 'parentId' });
          }
          message.success(current ? '科室已保存' : `已新增科室 ${body.name}`);
          setEditing(null);
          reload();
          return true;
        }}
      >
        <ProFormText name="name" label="科室名称" rules={[{ required: true, message: '请输入科室名称' }, { max: 50 }]} />
        <ProFormText
          name="code"
          label="科室编码"
          tooltip="1–20 位大写字母、数字或下划线，如 CARDIO"
          rules={[
            { required: true, message: '请输入科室编码' },
            { pattern: /^[A-Z0-9_]{1,20}$/, message: '科室编码为 1–20 位大写字母或数字' },
          ]}
          normalize={(value: string | undefined) => value?.toUpperCase()}
        />
        <ProFormSelect
          name="parentId"
          label="上级科室"
          placeholder="无（作为大科）"
          allowClear
          options={departments.filter((d) => d.parentId === null && d.id !== current?.id).map((d) => ({ label: d.name, value: d.id }))}
        />
        <ProFormText name="location" label="位置" placeholder="如：门诊楼 3 楼东区" rules={[{ max: 100 }]} />
        <ProFormTextArea name="intro" label="科室简介" fieldProps={{ rows: 3, maxLength: 2000, showCount: true }} />
        <ProFormDigit name="sortOrder" label="排序" tooltip="数字小的在前" min={0} max={9999} fieldProps={{ precision: 0 }} />
        <ProFormSwitch name="active" label="启用" />
      </ModalForm>
    </PageContainer>
  );
}
