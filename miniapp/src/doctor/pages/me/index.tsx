import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { AsyncView } from '../../../components/async-view';
import { Button, Cell, CellGroup } from '../../../components/nutui';
import { PageShell } from '../../../components/page-shell';
import { useAsync } from '../../../hooks/use-async';
import { useSession } from '../../../hooks/use-session';
import { logout } from '../../../services/auth';
import { maskPhone } from '../../../utils/format';
import { DoctorLoginRequired } from '../../components/doctor-login-required';
import { fetchMyProfile } from '../../services/schedule';

/** 我的: who is signed in (name, department, title), password change and logout. */
export default function DoctorMe() {
  const session = useSession();
  const card = useAsync(() => (session ? fetchMyProfile() : Promise.resolve(null)), [session?.account.id]);

  const signOut = async () => {
    const { confirm } = await Taro.showModal({ title: '退出登录', content: '确定退出当前账号吗？', confirmText: '退出', cancelText: '取消' });
    if (!confirm) return;
    await logout();
    void Taro.showToast({ title: '已退出登录', icon: 'none' });
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
      <View className="me-head">
        <View className="me-name">{session.account.displayName ?? '医生'}</View>
        <View className="me-sub">手机号 {maskPhone(session.account.phone)}</View>
      </View>
      <AsyncView state={card.state} onRetry={() => void card.reload()}>
        {(doctor) => (
          <CellGroup>
            <Cell title="科室" extra={doctor?.department.name ?? '—'} />
            <Cell title="职称" extra={doctor?.titleLabel ?? '—'} />
            {doctor?.specialty && <Cell title="擅长" extra={doctor.specialty} />}
            {doctor?.department.location && <Cell title="出诊地点" extra={doctor.department.location} />}
          </CellGroup>
        )}
      </AsyncView>
      <View className="gap" />
      <CellGroup>
        <Cell title="修改密码" extra="›" clickable onClick={() => void Taro.navigateTo({ url: '/pages/password/index' })} />
      </CellGroup>
      <View className="actions">
        <Button type="default" block onClick={() => void signOut()}>
          退出登录
        </Button>
      </View>
    </PageShell>
  );
}
