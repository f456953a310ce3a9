import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { Field } from '../../../components/field';
import { Button, Input } from '../../../components/nutui';
import { PageShell } from '../../../components/page-shell';
import { useSession } from '../../../hooks/use-session';
import { passwordProblem } from '../../../utils/id-number';
import { DoctorLoginRequired } from '../../components/doctor-login-required';
import { changePassword } from '../../services/account';

/**
 * 修改密码: the old one, and a new one by the same rule as registration (8–64, letters and
 * digits). With `?first=1` it is the first-login form: the password an administrator gave must
 * be replaced before anything else (no way back), and the doctor goes on to 今日 after.
 */
export default function DoctorPassword() {
  const session = useSession();
  const first = Taro.useRouter().params.first === '1' || session?.account.mustChangePassword === true;
  const [oldPassword, setOldPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [tried, setTried] = useState(false);
  const [submitting, setSubmitting] = useState(false);

  const oldError = tried && !oldPassword ? '请输入原密码' : null;
  const newError = tried ? passwordProblem(newPassword) ?? (newPassword === oldPassword ? '新密码不能与原密码相同' : null) : null;
  const repeatError = tried && repeat !== newPassword ? '两次输入的新密码不一致' : null;

  const submit = async () => {
    setTried(true);
    if (!oldPassword || passwordProblem(newPassword) || newPassword === oldPassword || repeat !== newPassword) return;
    setSubmitting(true);
    try {
      await changePassword(oldPassword, newPassword);
      void Taro.showToast({ title: '密码已修改', icon: 'success' });
      if (first) void Taro.switchTab({ url: '/pages/today/index' });
      else void Taro.navigateBack();
    } catch {
      // The toast said why (wrong old password…).
    } finally {
      setSubmitting(false);
    }
  };

  if (!session) {
    return (
      <PageShell>
        <DoctorLoginRequired />
      </PageShell>
    );
  }
  return (
    <PageShell>
      {first ? (
        <View className="notice password-first">
          <View className="notice-title">请先修改初始密码</View>
          <View>您的密码由医院管理员设置（新开通或重置）。为了账号安全，请设置只有您自己知道的新密码后再使用工作站。</View>
        </View>
      ) : null}
      <View className="form">
        <Field label={first ? '初始密码' : '原密码'} error={oldError}>
          <Input name="old-password" type="password" maxLength={64} placeholder="请输入原密码" value={oldPassword} onChange={setOldPassword} />
        </Field>
        <Field label="新密码" error={newError}>
          <Input name="new-password" type="password" maxLength={64} placeholder="8–64 位，须含字母和数字" value={newPassword} onChange={setNewPassword} />
        </Field>
        <Field label="再次输入新密码" error={repeatError}>
          <Input name="repeat-password" type="password" maxLength={64} placeholder="再次输入新密码" value={repeat} onChange={setRepeat} />
        </Field>
      </View>
      <View className="muted doctor-hint">修改后，其他设备上的登录将失效。</View>
      <View className="actions">
        <Button type="primary" block disabled={submitting} onClick={() => void submit()}>
          确认修改
        </Button>
      </View>
    </PageShell>
  );
}
