/**
 * 预约规则: the global rules and each department's overrides. For the chosen scope every rule
 * shows the value set at this level (or 继承), the value in force (as the server resolves it) and
 * where that value comes from. Saving replaces the scope's row; each change is audited by the server.
 */
import { EditOutlined } from '@ant-design/icons';
import { ModalForm, PageContainer, ProCard, ProFormDigit, ProFormText, ProTable, type ProColumns } from '@ant-design/pro-components';
import { Alert, App, Button, Form, Popconfirm, Select, Space, Tag } from 'antd';
import { useState } from 'react';
import { departmentApi, ruleApi } from '../api/endpoints';
import type { RuleOverrides } from '../api/schema';
import { formErrorHandler } from '../components/formErrors';
import { useLoad } from '../components/useLoad';
import { resolveRules, RULES, showValue, type RuleName } from './rule-sources';

type Row = (typeof RULES)[number] & { own: string | number | null; effective: string | number; source: string };
type FormValues = Partial<Record<RuleName, string | number | null>>;
const GLOBAL = 0;

export function RulesPage() {
  const { message } = App.useApp();
  const [scope, setScope] = useState<number>(GLOBAL);
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<FormValues>();
  const departments = useLoad(() => departmentApi.list().then((r) => r.items), []);
  const book = useLoad(() => ruleApi.book(), []);
  const departmentId = scope === GLOBAL ? null : scope;
  // The server's own resolution of the values in force for a department (the page computes only their source).
  const scoped = useLoad(() => (departmentId === null ? Promise.resolve(undefined) : ruleApi.ofDepartment(departmentId)), [departmentId, book.data]);

  const ruleSet = departmentId === null ? book.data?.global : scoped.data;
  const resolved = book.data && departments.data ? resolveRules(book.data, departments.data, departmentId) : undefined;
  const rows: Row[] =
    ruleSet && resolved
      ? RULES.map((rule) => ({ ...rule, own: ruleSet.overrides[rule.name], effective: ruleSet.effective[rule.name], source: resolved[rule.name].source }))
      : [];
  const scopeName = departmentId === null ? '全院' : (departments.data?.find((d) => d.id === departmentId)?.name ?? '');
  const overridden = new Set(book.data?.departments.map((d) => d.departmentId));
  const reload = () => book.reload();

  const columns: ProColumns<Row>[] = [
    { title: '规则', dataIndex: 'label', width: 260 },
    {
      title: departmentId === null ? '全院设置' : '本科室设置',
      dataIndex: 'own',
      width: 160,
      render: (_, r) => (r.own === null ? <span className="rule-source">继承</span> : <Tag color="blue">{showValue(r.name, r.own)}</Tag>),
    },
    { title: '生效值', dataIndex: 'effective', width: 140, render: (_, r) => <strong data-rule={r.name}>{showValue(r.name, r.effective)}</strong> },
    { title: '单位', dataIndex: 'unit', width: 160 },
    { title: '来源', dataIndex: 'source', render: (_, r) => <span className="rule-source" data-source={r.name}>{r.source}</span> },
  ];

  async function save(values: FormValues): Promise<boolean> {
    const body = Object.fromEntries(
      RULES.map(({ name }) => {
        const v = values[name];
        return [name, v === undefined || v === null || v === '' ? null : v];
      }),
    ) as RuleOverrides;
    try {
      if (departmentId === null) await ruleApi.saveGlobal(body);
      else await ruleApi.saveDepartment(departmentId, body);
    } catch (e) {
      return formErrorHandler(form, e);
    }
    message.success(`${scopeName}预约规则已保存`);
    setEditing(false);
    reload();
    return true;
  }

  async function removeOverrides() {
    if (departmentId === null) return;
    await ruleApi.removeDepartment(departmentId);
    message.success(`已删除${scopeName}的覆盖设置，恢复继承`);
    reload();
  }

  const loading = book.loading || departments.loading || scoped.loading;
  const error = book.error ?? departments.error ?? scoped.error;
  return (
    <PageContainer title="预约规则" subTitle="科室设置 → 上级科室 → 全院设置 → 系统默认，逐项取最具体的一级">
      {error && <Alert type="error" showIcon message={`加载失败：${error.message}`} style={{ marginBottom: 16 }} />}
      <ProCard
        title={
          <Space>
            <span>适用范围</span>
            <Select
              style={{ width: 240 }}
              value={scope}
              showSearch
              optionFilterProp="label"
              aria-label="适用范围"
              onChange={setScope}
              options={[
                { value: GLOBAL, label: '全院' },
                ...(departments.data ?? []).map((d) => ({ value: d.id, label: overridden.has(d.id) ? `${d.name}（有覆盖设置）` : d.name })),
              ]}
            />
          </Space>
        }
        extra={
          <Space>
            {departmentId !== null && overridden.has(departmentId) && (
              <Popconfirm title={`删除${scopeName}的全部覆盖设置？`} description="删除后该科室的规则全部继承上级。" okText="删除" cancelText="取消" onConfirm={removeOverrides}>
                <Button danger>恢复继承</Button>
              </Popconfirm>
            )}
            <Button type="primary" icon={<EditOutlined />} disabled={!ruleSet} onClick={() => setEditing(true)}>
              修改{scopeName}规则
            </Button>
          </Space>
        }
      >
        <ProTable<Row>
          rowKey="name"
          columns={columns}
          dataSource={rows}
          loading={loading}
          search={false}
          options={false}
          pagination={false}
          toolBarRender={false}
          size="middle"
        />
        <p className="rule-source" style={{ marginTop: 12 }}>
          修改「提前放号天数」或「每日放号时间」只影响之后生成的排班：已生成排班的放号时间在生成时确定。
        </p>
      </ProCard>
      {ruleSet && (
        <ModalForm<FormValues>
          title={`修改${scopeName}预约规则`}
          open={editing}
          form={form}
          width={640}
          layout="horizontal"
          labelCol={{ span: 11 }}
          modalProps={{ destroyOnHidden: true, onCancel: () => setEditing(false) }}
          submitter={{ searchConfig: { submitText: '保存' } }}
          initialValues={Object.fromEntries(RULES.map(({ name }) => [name, name === 'releaseTime' && ruleSet.overrides[name] ? String(ruleSet.overrides[name]).slice(0, 5) : ruleSet.overrides[name]]))}
          onFinish={save}
        >
          <Alert type="info" showIcon style={{ marginBottom: 16 }} message={`留空表示继承${departmentId === null ? '系统默认值' : '上级科室或全院设置'}（占位文字为当前生效值）。`} />
          {RULES.map((rule) =>
            rule.name === 'releaseTime' ? (
              <ProFormText
                key={rule.name}
                name={rule.name}
                label={rule.label}
                placeholder={showValue(rule.name, ruleSet.effective.releaseTime)}
                fieldProps={{ suffix: rule.unit, style: { width: 200 } }}
                rules={[{ pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: '请输入 HH:MM，如 07:30' }]}
              />
            ) : (
              <ProFormDigit
                key={rule.name}
                name={rule.name}
                label={rule.label}
                min={rule.min}
                max={rule.max}
                placeholder={String(ruleSet.effective[rule.name])}
                fieldProps={{ precision: 0, addonAfter: rule.unit, style: { width: 200 } }}
              />
            ),
          )}
        </ModalForm>
      )}
    </PageContainer>
  );
}
