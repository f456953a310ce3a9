import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { AsyncView } from '../../components/async-view';
import { LoginRequired } from '../../components/login-required';
import { Button } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { useAsync } from '../../hooks/use-async';
import { useSession } from '../../hooks/use-session';
import { deleteProfile, fetchProfiles } from '../../services/profiles';
import type { PatientProfile } from '../../services/types';
import { RELATION_LABELS } from '../../utils/format';
import { go } from '../../utils/navigation';

export default function Profiles() {
  const session = useSession();
  const { state, reload } = useAsync(() => (session ? fetchProfiles() : Promise.resolve([])), [session?.account.id], { reloadOnShow: true });

  const remove = async (profile: PatientProfile) => {
    const { confirm } = await Taro.showModal({ title: '删除就诊人', content: `确定删除就诊人“${profile.realName}”吗？`, confirmText: '删除', cancelText: '取消' });
    if (!confirm) return;
    try {
      await deleteProfile(profile.id);
      void Taro.showToast({ title: '已删除', icon: 'success' });
      await reload(false);
    } catch {
      // The toast said why (e.g. 还有未完成的预约).
    }
  };

  if (!session) {
    return (
      <PageShell>
        <LoginRequired reason="登录后可管理就诊人" />
      </PageShell>
    );
  }

  return (
    <PageShell>
      <AsyncView
        state={state}
        onRetry={() => void reload()}
        isEmpty={(items) => items.length === 0}
        emptyText="还没有就诊人，添加后即可预约挂号"
      >
        {(profiles) =>
          profiles.map((p) => (
            <View className="section" key={p.id}>
              <View className="row">
                <View className="strong">
                  {p.realName} <Text className="badge">{RELATION_LABELS[p.relation]}</Text> {p.isDefault && <Text className="badge success">默认</Text>}
                </View>
                <View className="muted">
                  {p.gender === 'male' ? '男' : '女'} · {p.age} 岁
                </View>
              </View>
              <View className="muted">
                {p.idTypeLabel} {p.idNumberMasked}
              </View>
              <View className="muted">手机 {p.phoneMasked}</View>
              <View className="link-row" style={{ padding: '8px 0 0' }}>
                <View onClick={() => go(`/pages/health-record/index?profileId=${p.id}&name=${encodeURIComponent(p.realName)}`)}>健康档案</View>
                <View onClick={() => go(`/pages/profile-edit/index?id=${p.id}`)}>编辑</View>
                <View className="danger" onClick={() => void remove(p)}>
                  删除
                </View>
              </View>
            </View>
          ))
        }
      </AsyncView>
      <View className="actions">
        <Button type="primary" block onClick={() => go('/pages/profile-edit/index')}>
          添加就诊人
        </Button>
      </View>
    </PageShell>
  );
}
