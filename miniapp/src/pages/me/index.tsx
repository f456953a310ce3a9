import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { Button, Cell, CellGroup, Switch } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { setElderMode, useElderMode } from '../../hooks/use-elder-mode';
import { useAsync } from '../../hooks/use-async';
import { useSession } from '../../hooks/use-session';
import { logout } from '../../services/auth';
import { fetchUnreadCount } from '../../services/messages';
import { maskPhone } from '../../utils/format';
import { go } from '../../utils/navigation';

export default function Me() {
  const session = useSession();
  const elder = useElderMode();
  // The unread badge of 我的消息, refreshed whenever 我的 is shown again.
  const unread = useAsync(() => (session ? fetchUnreadCount() : Promise.resolve(0)), [session?.account.id], { reloadOnShow: true }).state;
  const unreadCount = unread.status === 'ready' ? unread.data : 0;

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
        <Cell
          title="我的消息"
          extra={unreadCount > 0 ? <Text className="badge danger">{unreadCount > 99 ? '99+' : unreadCount} 条未读 ›</Text> : '查看 ›'}
          clickable
          onClick={() => go('/pages/messages/index')}
        />
        <Cell title="我的候补" extra="排队位次 ›" clickable onClick={() => go('/pages/waitlist/mine/index')} />
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
