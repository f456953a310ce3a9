import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { Field } from '../../components/field';
import { Button, Input, TabPane, Tabs } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { SmsCodeField } from '../../components/sms-code-field';
import { login, register } from '../../services/auth';
import { ApiError } from '../../services/interceptors';
import { isValidPhone, passwordProblem } from '../../utils/id-number';
import { go } from '../../utils/navigation';

type Mode = 'login' | 'register';

/** Back to where the patient came from, or to "我的". */
function leave() {
  if (Taro.getCurrentPages().length > 1) void Taro.navigateBack();
  else void Taro.switchTab({ url: '/pages/me/index' });
}

export default function Login() {
  const [mode, setMode] = useState<Mode>('login');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [tried, setTried] = useState(false);

  const phoneError = tried && !isValidPhone(phone) ? '请输入正确的 11 位手机号' : null;
  const passwordError = tried ? (mode === 'register' ? passwordProblem(password) : password ? null : '请输入密码') : null;
  const codeError = tried && mode === 'register' && !/^\d{6}$/.test(code) ? '请输入 6 位短信验证码' : null;

  const submit = async () => {
    setTried(true);
    if (!isValidPhone(phone) || (mode === 'register' ? passwordProblem(password) || !/^\d{6}$/.test(code) : !password)) return;
    setSubmitting(true);
    try {
      if (mode === 'register') await register({ phone, code, password });
      else await login(phone, password);
      void Taro.showToast({ title: mode === 'register' ? '注册成功' : '登录成功', icon: 'success' });
      leave();
    } catch (error) {
      // A doctor's or an administrator's account: say which app is theirs, and keep it on screen.
      if (error instanceof ApiError && error.code === 'WRONG_APP') {
        void Taro.showModal({ title: '请使用对应的应用登录', content: error.message, showCancel: false, confirmText: '知道了' });
      }
      // Otherwise the toast said why (wrong password, wrong code…).
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <PageShell>
      <Tabs value={mode} onChange={(value) => { setMode(value as Mode); setTried(false); }} activeType="line">
        <TabPane value="login" title="密码登录" />
        <TabPane value="register" title="注册新账号" />
      </Tabs>
      <View className="form">
        <Field label="手机号" error={phoneError}>
          <Input name="phone" type="tel" maxLength={11} placeholder="请输入手机号" value={phone} onChange={setPhone} />
        </Field>
        {mode === 'register' && <SmsCodeField phone={phone} purpose="register" value={code} onChange={setCode} error={codeError} />}
        <Field label={mode === 'register' ? '设置密码' : '密码'} error={passwordError}>
          <Input name="password" type="password" maxLength={64} placeholder={mode === 'register' ? '8–64 位，须含字母和数字' : '请输入密码'} value={password} onChange={setPassword} />
        </Field>
      </View>
      <View className="actions">
        <Button type="primary" block disabled={submitting} onClick={() => void submit()}>
          {mode === 'register' ? '注册并登录' : '登录'}
        </Button>
      </View>
      <View className="link-row">
        <View onClick={() => go('/pages/password-reset/index')}>忘记密码？</View>
        <View onClick={() => { setMode(mode === 'login' ? 'register' : 'login'); setTried(false); }}>
          {mode === 'login' ? '没有账号？去注册' : '已有账号？去登录'}
        </View>
      </View>
    </PageShell>
  );
}
