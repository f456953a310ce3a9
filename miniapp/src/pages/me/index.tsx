import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { Button, Cell, CellGroup, Switch } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { setElderMode, useElderMode } from '../../hooks/use-elder-mode';
import { useSession } from '../../hooks/use-session';
import { logout } from '../../services/auth';
import { maskPhone } from '../../utils/format';
import { go } from '../../utils/navigation';

export default function Me() {
  const session = useSession();
  const elder = useElderMode();

  const signOut = async () => {
    const { confirm } = await Taro.showModal({ title: '退出登录', content: '确定退出当前账号吗？', confirmText: '退出', cancelText: '取消' });
    if (!confirm) return;
    await logout();
    void Taro.showToast({ title: '已退出登录', icon: 'none' });
  };

  return (
    <PageShell>
      <View className="me-head">
        {session ? (
          <>
            <View className="me-name">{session.account.displayName ?? '患者用户'}</View>
            <View className="me-sub">手机号 {maskPhone(session.account.phone)}</View>
          </>
        ) : (
          <>
            <View className="me-name">未登录</View>
            <View className="me-sub">登录后可预约挂号、管理就诊人</View>
          </>
        )}
      </View>
      {!session && (
        <View className="actions">
          <Button type="primary" block onClick={() => go('/pages/login/index')}>
            登录 / 注册
          </Button>
        </View>
      )}
      <View className="gap" />
      <CellGroup>
        <Cell title="我的预约" extra="查看 ›" clickable onClick={() => void Taro.switchTab({ url: '/pages/appointments/index' })} />
        <Cell title="就诊人管理" extra="添加 / 编辑 ›" clickable onClick={() => go('/pages/profiles/index')} />
        <Cell title="找回 / 重设密码" extra="›" clickable onClick={() => go('/pages/password-reset/index')} />
        <Cell
          title="长辈模式（适老化）"
          description="更大的字、更高的对比度"
          extra={<Switch checked={elder} onChange={(on) => setElderMode(on)} ariaLabel="长辈模式" />}
        />
      </CellGroup>
      {session && (
        <View className="actions">
          <Button type="default" block onClick={() => void signOut()}>
            退出登录
          </Button>
        </View>
      )}
    </PageShell>
  );
}
