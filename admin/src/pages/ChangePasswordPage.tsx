/**
 * 修改初始密码: shown instead of the whole console while the signed-in admin's password was set by
 * another administrator (a new account or a reset). The server answers nothing else meanwhile
 * (403 PASSWORD_CHANGE_REQUIRED); after the change this login carries on with fresh tokens.
 */
import { LockOutlined } from '@ant-design/icons';
import { LoginForm, ProFormText } from '@ant-design/pro-components';
import { Alert, Button, Form } from 'antd';
import { useState } from 'react';
import { ApiError } from '../api/client';
import { authApi } from '../api/endpoints';
import { passwordChanged, signOut, type AdminSession } from '../api/session';
import { HOSPITAL } from '../components/brand';

type Values = { oldPassword: string; newPassword: string; repeat: string };

const passwordRules = [
  { required: true, message: '请输入新密码' },
  { min: 8, max: 64, message: '密码为 8–64 位' },
  { pattern: /^(?=.*[A-Za-z])(?=.*\d)/, message: '密码须同时包含字母和数字' },
];

export function ChangePasswordPage({ session }: { session: AdminSession }) {
  const [form] = Form.useForm<Values>();
  const [refusal, setRefusal] = useState<string | null>(null);

  async function submit(values: Values): Promise<boolean> {
    setRefusal(null);
    try {
      passwordChanged(await authApi.changePassword({ oldPassword: values.oldPassword, newPassword: values.newPassword }));
      return true;
    } catch (error) {
      setRefusal(error instanceof ApiError ? error.message : '修改失败，请稍后重试');
      return false;
    }
  }

  async function leave() {
    await authApi.logout(session.tokens.refreshToken).catch(() => undefined);
    signOut();
  }

  return (
    <div className="login-page">
      <LoginForm<Values>
        form={form}
        title={HOSPITAL}
        subTitle={`${session.account.displayName ?? '管理员'}，请先修改初始密码`}
        submitter={{ searchConfig: { submitText: '修改密码并进入' } }}
        onFinish={submit}
        message={
          <Alert
            role="alert"
            type={refusal ? 'error' : 'info'}
            showIcon
            style={{ marginBottom: 24 }}
            message={refusal ?? '您的密码由其他管理员设置（新开通或重置）。为了账号安全，请设置只有您自己知道的新密码后再使用管理后台。'}
          />
        }
        actions={
          <Button type="link" onClick={() => void leave()}>
            退出登录
          </Button>
        }
      >
        <ProFormText.Password name="oldPassword" fieldProps={{ size: 'large', prefix: <LockOutlined />, autoComplete: 'current-password' }} placeholder="初始密码" rules={[{ required: true, message: '请输入初始密码' }]} />
        <ProFormText.Password name="newPassword" fieldProps={{ size: 'large', prefix: <LockOutlined />, autoComplete: 'new-password' }} placeholder="新密码（8–64 位，含字母和数字）" rules={passwordRules} />
        <ProFormText.Password
          name="repeat"
          fieldProps={{ size: 'large', prefix: <LockOutlined />, autoComplete: 'new-password' }}
          placeholder="再次输入新密码"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: '请再次输入新密码' },
            ({ getFieldValue }) => ({
              validator: (_, value) => (value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次输入的新密码不一致'))),
            }),
          ]}
        />
      </LoginForm>
    </div>
  );
}
