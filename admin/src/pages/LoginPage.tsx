/**
 * Phone + password. Only administrators are admitted: a doctor's or patient's login is ended on
 * the server at once (logout) and they are told which app is theirs.
 */
import { LockOutlined, MobileOutlined } from '@ant-design/icons';
import { LoginForm, ProFormText } from '@ant-design/pro-components';
import { Alert } from 'antd';
import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { authApi } from '../api/endpoints';
import { signIn } from '../api/session';
import { HOSPITAL, PRODUCT } from '../components/brand';

const OTHER_APPS: Record<string, { name: string; path: string }> = {
  doctor: { name: '医生工作站', path: '/doctor/' },
  patient: { name: '患者端', path: '/patient/' },
};

interface Refusal {
  text: string;
  link?: { name: string; path: string };
}

export function LoginPage() {
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from;
  const [refusal, setRefusal] = useState<Refusal | null>(null);

  async function submit(values: { phone: string; password: string }): Promise<boolean> {
    setRefusal(null);
    try {
      const session = await authApi.login(values);
      if (session.account.role !== 'admin') {
        // Not ours: end this login on the server too, so no token of it stays usable.
        await authApi.logout(session.tokens.refreshToken).catch(() => undefined);
        const app = OTHER_APPS[session.account.role];
        setRefusal({ text: '该账号不是管理员账号，不能登录管理后台。', link: app });
        return false;
      }
      signIn(session);
      navigate(from && from !== '/login' ? from : '/', { replace: true });
      return true;
    } catch (error) {
      setRefusal({ text: error instanceof ApiError ? error.message : '登录失败，请稍后重试' });
      return false;
    }
  }

  return (
    <div className="login-page">
      <LoginForm
        title={HOSPITAL}
        subTitle={PRODUCT}
        submitter={{ searchConfig: { submitText: '登录' } }}
        onFinish={submit}
        message={
          refusal && (
            <Alert
              role="alert"
              type="error"
              showIcon
              style={{ marginBottom: 24 }}
              message={refusal.text}
              description={
                refusal.link && (
                  <span>
                    请前往<a href={refusal.link.path}>{refusal.link.name}（{refusal.link.path}）</a>登录。
                  </span>
                )
              }
            />
          )
        }
      >
        <ProFormText
          name="phone"
          fieldProps={{ size: 'large', prefix: <MobileOutlined />, maxLength: 11, autoComplete: 'username' }}
          placeholder="手机号"
          rules={[
            { required: true, message: '请输入手机号' },
            { pattern: /^1[3-9]\d{9}$/, message: '请输入正确的 11 位手机号' },
          ]}
        />
        <ProFormText.Password
          name="password"
          fieldProps={{ size: 'large', prefix: <LockOutlined />, autoComplete: 'current-password' }}
          placeholder="密码"
          rules={[{ required: true, message: '请输入密码' }]}
        />
      </LoginForm>
    </div>
  );
}
