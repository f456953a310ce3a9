import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { Field } from '../../../components/field';
import { Button, Input } from '../../../components/nutui';
import { PageShell } from '../../../components/page-shell';
import { login } from '../../../services/auth';
import { ApiError } from '../../../services/interceptors';
import { isValidPhone } from '../../../utils/id-number';
import { FIRST_PASSWORD_PAGE } from '../../services/password-change';

/**
 * Doctors sign in with the phone and password an administrator gave them: there is no
 * registration here. A patient's or an administrator's login is ended and told where to go.
 */
export default function DoctorLogin() {
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [tried, setTried] = useState(false);

  const phoneError = tried && !isValidPhone(phone) ? '请输入正确的 11 位手机号' : null;
  const passwordError = tried && !password ? '请输入密码' : null;

  const submit = async () => {
    setTried(true);
    if (!isValidPhone(phone) || !password) return;
    setSubmitting(true);
    try {
      const account = await login(phone, password);
      if (account.mustChangePassword) {
        // The password came from an administrator: the doctor sets their own first.
        void Taro.redirectTo({ url: FIRST_PASSWORD_PAGE });
        return;
      }
      void Taro.showToast({ title: '登录成功', icon: 'success' });
      void Taro.switchTab({ url: '/pages/today/index' });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'WRONG_APP') {
        void Taro.showModal({ title: '此处仅供医生登录', content: error.message, showCancel: false, confirmText: '知道了' });
      }
      // Otherwise the toast said why (wrong password, locked account…).
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <PageShell>
      <View className="doctor-banner">
        <View className="banner-name">医生工作站</View>
        <View className="banner-sub">南阳市第二人民医院</View>
      </View>
      <View className="form">
        <Field label="手机号" error={phoneError}>
          <Input name="phone" type="tel" maxLength={11} placeholder="请输入手机号" value={phone} onChange={setPhone} />
        </Field>
        <Field label="密码" error={passwordError}>
          <Input name="password" type="password" maxLength={64} placeholder="请输入密码" value={password} onChange={setPassword} />
        </Field>
      </View>
      <View className="actions">
        <Button type="primary" block disabled={submitting} onClick={() => void submit()}>
          登录
        </Button>
      </View>
      <View className="muted doctor-hint">医生账号由医院管理员开通；忘记密码请联系管理员重置。患者请使用微信小程序或 /patient/，管理员请使用 /admin/。</View>
    </PageShell>
  );
}
