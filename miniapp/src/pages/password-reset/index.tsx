import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { Field } from '../../components/field';
import { Button, Input } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { SmsCodeField } from '../../components/sms-code-field';
import { resetPassword } from '../../services/auth';
import { signOut } from '../../services/session';
import { isValidPhone, passwordProblem } from '../../utils/id-number';

export default function PasswordReset() {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [tried, setTried] = useState(false);
  const [submitting, setSubmitting] = useState(false);

  const submit = async () => {
    setTried(true);
    if (!isValidPhone(phone) || !/^\d{6}$/.test(code) || passwordProblem(password)) return;
    setSubmitting(true);
    try {
      await resetPassword({ phone, code, newPassword: password });
      // Every login of the account ended on the server; this device signs in again too.
      signOut();
      await Taro.showModal({ title: '密码已重设', content: '请使用新密码登录。', showCancel: false });
      void Taro.navigateBack();
    } catch {
      // The toast said why.
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <PageShell>
      <View className="form">
        <Field label="手机号" error={tried && !isValidPhone(phone) ? '请输入正确的 11 位手机号' : null}>
          <Input name="phone" type="tel" maxLength={11} placeholder="注册时使用的手机号" value={phone} onChange={setPhone} />
        </Field>
        <SmsCodeField phone={phone} purpose="reset_password" value={code} onChange={setCode} error={tried && !/^\d{6}$/.test(code) ? '请输入 6 位短信验证码' : null} />
        <Field label="新密码" error={tried ? passwordProblem(password) : null}>
          <Input name="newPassword" type="password" maxLength={64} placeholder="8–64 位，须含字母和数字" value={password} onChange={setPassword} />
        </Field>
      </View>
      <View className="actions">
        <Button type="primary" block disabled={submitting} onClick={() => void submit()}>
          重设密码
        </Button>
      </View>
    </PageShell>
  );
}
