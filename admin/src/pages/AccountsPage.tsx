/**
 * 账号管理: every account, filtered by role and phone prefix and paginated on the server; disable
 * (which ends all of the account's logins at once) and enable; create another administrator;
 * reset a doctor's or administrator's password (a generated one, shown once; they must change it
 * at their next login). Patients reset theirs themselves by SMS code.
 * Phones are masked by the server: admins see accounts, not personal data. A patient's 就诊人 open
 * in a drawer, masked by the server too; the server audits each time it is opened.
 */
import { PlusOutlined } from '@ant-design/icons';
import { ModalForm, PageContainer, ProFormText, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { Alert, App, Button, Drawer, Empty, Form, Popconfirm, Space, Spin, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useRef, useState } from 'react';
import { userApi } from '../api/endpoints';
import type { AdminAccount, AdminPatientProfile, Body } from '../api/schema';
import { currentSession } from '../api/session';
import { formErrorHandler } from '../components/formErrors';
import { initialPassword, ROLE_LABEL } from '../components/labels';
import { shanghaiDateTime } from '../components/shanghai';
import { useLoad } from '../components/useLoad';

type NewAdmin = Omit<Body<'/api/v1/admin/users', 'post'>, 'role'>;
const ROLE_COLOR = { patient: 'default', doctor: 'blue', admin: 'purple' } as const;
const RELATION_LABEL = { self: '本人', child: '子女', parent: '父母', spouse: '配偶', other: '其他' } as const;
const GENDER_LABEL = { male: '男', female: '女' } as const;

const PROFILE_COLUMNS = [
  {
    title: '姓名',
    dataIndex: 'realName',
    render: (_: unknown, p: AdminPatientProfile) => (
      <span>
        {p.realName}
        {p.isDefault ? <Tag color="blue" style={{ marginLeft: 6 }}>默认</Tag> : null}
      </span>
    ),
  },
  { title: '关系', dataIndex: 'relation', width: 60, render: (r: AdminPatientProfile['relation']) => RELATION_LABEL[r] },
  {
    title: '证件',
    dataIndex: 'idNumberMasked',
    render: (_: unknown, p: AdminPatientProfile) => (
      <span data-testid="profile-id-number">
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>{p.idTypeLabel}</Typography.Text>
        {p.idNumberMasked}
      </span>
    ),
  },
  { title: '手机号', dataIndex: 'phoneMasked', width: 120 },
  { title: '性别', dataIndex: 'gender', width: 56, render: (g: AdminPatientProfile['gender']) => GENDER_LABEL[g] },
  { title: '年龄', dataIndex: 'age', width: 56, align: 'right' as const, render: (age: number) => `${age} 岁` },
];

/** The 就诊人 of a patient account: loaded (and audited by the server) each time the drawer opens. */
function ProfilesDrawer({ account, onClose }: { account: AdminAccount | null; onClose: () => void }) {
  const profiles = useLoad(() => (account ? userApi.profiles(account.id) : Promise.resolve(undefined)), [account?.id]);
  return (
    <Drawer
      title={account ? `就诊人 · ${account.displayName ?? account.phone}（${account.phone}）` : '就诊人'}
      width={720}
      open={account !== null}
      onClose={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">证件号与手机号已脱敏；本次查看已记入审计日志。</Typography.Paragraph>
      {profiles.loading ? (
        <Spin />
      ) : profiles.error ? (
        <Alert
          type="error"
          showIcon
          message="加载失败"
          description={profiles.error.message}
          action={<Button size="small" onClick={profiles.reload}>重试</Button>}
        />
      ) : !profiles.data?.items.length ? (
        <Empty description="该账号还没有添加就诊人" />
      ) : (
        <Table<AdminPatientProfile> rowKey="id" size="small" pagination={false} columns={PROFILE_COLUMNS} dataSource={profiles.data.items} />
      )}
    </Drawer>
  );
}

export function AccountsPage() {
  const { message, modal } = App.useApp();
  const table = useRef<ActionType>(null);
  const [form] = Form.useForm<NewAdmin>();
  const me = currentSession()?.account.id;
  const [viewing, setViewing] = useState<AdminAccount | null>(null);

  async function resetPassword(account: AdminAccount) {
    const { password } = await userApi.resetPassword(account.id);
    modal.success({
      title: `已重置 ${account.displayName ?? ROLE_LABEL[account.role]} 的密码`,
      width: 440,
      okText: '我已记下',
      content: (
        <div data-testid="reset-password">
          <p>
            新的初始密码：<Typography.Text code copyable>{password}</Typography.Text>
          </p>
          <Typography.Text type="warning">只显示这一次，请立即转交本人。其所有登录已失效，下次登录须先修改密码。</Typography.Text>
        </div>
      ),
    });
    await table.current?.reload();
  }

  async function setStatus(account: AdminAccount, status: 'active' | 'disabled') {
    await userApi.setStatus(account.id, status);
    message.success(status === 'disabled' ? '账号已停用，其所有登录已失效' : '账号已启用');
    await table.current?.reload();
  }

  const columns: ProColumns<AdminAccount>[] = [
    { title: 'ID', dataIndex: 'id', width: 80, search: false },
    { title: '手机号', dataIndex: 'phone', width: 140, fieldProps: { placeholder: '手机号前缀，如 138', maxLength: 11 }, formItemProps: { rules: [{ pattern: /^\d{1,11}$/, message: '请输入数字' }] } },
    { title: '姓名', dataIndex: 'displayName', width: 120, search: false, render: (_, a) => a.displayName ?? '—' },
    {
      title: '角色',
      dataIndex: 'role',
      width: 100,
      valueType: 'select',
      valueEnum: { patient: { text: ROLE_LABEL.patient }, doctor: { text: ROLE_LABEL.doctor }, admin: { text: ROLE_LABEL.admin } },
      render: (_, a) => <Tag color={ROLE_COLOR[a.role]}>{ROLE_LABEL[a.role]}</Tag>,
    },
    {
      title: '状态',
      dataIndex: 'status',
      width: 110,
      search: false,
      render: (_, a) =>
        a.status === 'disabled' ? (
          <Tag color="red">已停用</Tag>
        ) : a.lockedUntil && dayjs(a.lockedUntil).isAfter(dayjs()) ? (
          <Tag color="orange">锁定至 {shanghaiDateTime(a.lockedUntil).slice(11)}</Tag>
        ) : (
          <Tag color="green">正常</Tag>
        ),
    },
    { title: '连续登录失败', dataIndex: 'failedLoginCount', width: 120, align: 'right', search: false },
    { title: '注册时间（北京时间）', dataIndex: 'createdAt', width: 170, search: false, render: (_, a) => shanghaiDateTime(a.createdAt) },
    {
      title: '操作',
      valueType: 'option',
      width: 190,
      render: (_, a) =>
        a.id === me ? (
          <span className="rule-source">当前账号</span>
        ) : (
          <Space size="middle">
            {a.role === 'patient' ? (
              <a key="profiles" onClick={() => setViewing(a)} data-testid="account-profiles">
                就诊人
              </a>
            ) : null}
            {a.status === 'active' ? (
              <Popconfirm key="off" title="停用该账号？" description="停用后其所有登录立即失效，且不能再登录。" okText="停用" cancelText="取消" onConfirm={() => setStatus(a, 'disabled')}>
                <a>停用</a>
              </Popconfirm>
            ) : (
              <a key="on" onClick={() => setStatus(a, 'active')}>启用</a>
            )}
            {a.role !== 'patient' ? (
              <Popconfirm
                key="reset"
                title="重置该账号的密码？"
                description="将生成新密码（只显示一次），其所有登录立即失效，下次登录须先修改密码。"
                okText="重置"
                cancelText="取消"
                onConfirm={() => resetPassword(a)}
              >
                <a>重置密码</a>
              </Popconfirm>
            ) : null}
          </Space>
        ),
    },
  ];

  return (
    <PageContainer title="账号管理" subTitle="患者、医生与管理员账号；手机号已脱敏">
      <ProTable<AdminAccount>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={async (params) => {
          const page = await userApi.list({
            role: params.role as AdminAccount['role'] | undefined,
            phone: params.phone || undefined,
            page: params.current ?? 1,
            pageSize: params.pageSize ?? 20,
          });
          return { data: page.items, total: page.total, success: true };
        }}
        pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (total) => `共 ${total} 个账号` }}
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        options={{ density: false, setting: false }}
        scroll={{ x: 1030 }}
        toolBarRender={() => [
          <ModalForm<NewAdmin>
            key="new"
            title="新增管理员"
            form={form}
            width={480}
            modalProps={{ destroyOnHidden: true }}
            submitter={{ searchConfig: { submitText: '创建' } }}
            initialValues={{ password: initialPassword() }}
            trigger={<Button type="primary" icon={<PlusOutlined />}>新增管理员</Button>}
            onFinish={async (values) => {
              try {
                await userApi.create({ ...values, role: 'admin' });
              } catch (e) {
                return formErrorHandler(form, e, { PHONE_ALREADY_REGISTERED: 'phone' });
              }
              message.success(`已创建管理员 ${values.displayName}，初始密码：${values.password}（只显示这一次）`, 10);
              await table.current?.reload();
              return true;
            }}
          >
            <ProFormText name="displayName" label="姓名" rules={[{ required: true, message: '请输入姓名' }, { max: 50 }]} />
            <ProFormText name="phone" label="手机号" rules={[{ required: true, message: '请输入手机号' }, { pattern: /^1[3-9]\d{9}$/, message: '请输入正确的 11 位手机号' }]} />
            <ProFormText
              name="password"
              label="初始密码"
              tooltip="已随机生成；创建后只显示一次"
              rules={[
                { required: true, message: '请输入初始密码' },
                { min: 8, max: 64, message: '密码为 8–64 位' },
                { pattern: /^(?=.*[A-Za-z])(?=.*\d)/, message: '密码须同时包含字母和数字' },
              ]}
            />
          </ModalForm>,
        ]}
      />
      <ProfilesDrawer account={viewing} onClose={() => setViewing(null)} />
    </PageContainer>
  );
}
