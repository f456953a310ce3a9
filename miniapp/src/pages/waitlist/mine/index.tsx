import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { AsyncView } from '../../../components/async-view';
import { LoginRequired } from '../../../components/login-required';
import { Button } from '../../../components/nutui';
import { PageShell } from '../../../components/page-shell';
import { useAsync } from '../../../hooks/use-async';
import { useSession } from '../../../hooks/use-session';
import type { WaitlistEntry, WaitlistStatus } from '../../../services/types';
import { fetchMyWaitlist, leaveWaitlist } from '../../../services/waitlist';
import { formatFen } from '../../../utils/format';
import { go } from '../../../utils/navigation';
import { formatClinicDate, formatInstant } from '../../../utils/time';

const STATUS: Record<WaitlistStatus, { label: string; tone: string }> = {
  waiting: { label: '候补中', tone: 'warning' },
  fulfilled: { label: '候补成功', tone: 'success' },
  cancelled: { label: '已取消', tone: 'muted' },
  expired: { label: '未候补到', tone: 'muted' },
};

const PERIOD: Record<WaitlistEntry['session']['period'], string> = { morning: '上午', afternoon: '下午', evening: '晚上' };

/** 我的候补: every entry with its position while waiting; leave a waiting one; an offer links to its appointment. */
export default function MyWaitlist() {
  const session = useSession();
  const { state, reload } = useAsync(() => (session ? fetchMyWaitlist('all') : Promise.resolve([])), [session?.account.id], { reloadOnShow: true });

  const leave = async (entry: WaitlistEntry) => {
    const { confirm } = await Taro.showModal({ title: '取消候补', content: `确定取消 ${entry.profile.realName} 的候补吗？取消后需重新排队。`, confirmText: '取消候补', cancelText: '再等等' });
    if (!confirm) return;
    await leaveWaitlist(entry.id);
    void Taro.showToast({ title: '已取消候补', icon: 'none' });
    void reload();
  };

  if (!session) {
    return (
      <PageShell>
        <LoginRequired reason="登录后查看我的候补" />
      </PageShell>
    );
  }

  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()}>
        {(items) =>
          items.length === 0 ? (
            <View className="section muted">暂无候补。号源约满时，可在医生的排班页点击“候补”排队。</View>
          ) : (
            <View>
              {items.map((entry) => (
                <View className="section" key={entry.id} data-waitlist-entry={entry.id}>
                  <View className="row">
                    <View className="strong">
                      {entry.department.name} · {entry.doctor.name}
                    </View>
                    <Text className={`badge status ${STATUS[entry.status].tone}`}>{STATUS[entry.status].label}</Text>
                  </View>
                  <View className="muted">
                    {formatClinicDate(entry.session.date)} {PERIOD[entry.session.period]}
                    {entry.slotStarts ? ` · 只候补 ${entry.slotStarts.join('、')}` : ' · 任意时段'} · {formatFen(entry.session.feeFen)}
                  </View>
                  <View className="muted">就诊人 {entry.profile.realName}</View>
                  {entry.status === 'waiting' && (
                    <>
                      <View className="waitlist-position">
                        当前排第 <Text className="strong">{entry.position}</Text> 位
                      </View>
                      <View className="muted">候补截止 {formatInstant(entry.closesAt)}</View>
                      <View className="actions">
                        <Button type="default" block onClick={() => void leave(entry)}>
                          取消候补
                        </Button>
                      </View>
                    </>
                  )}
                  {entry.status === 'fulfilled' && entry.appointmentId && (
                    <View className="actions">
                      <Button type="primary" block onClick={() => go(`/pages/appointment/index?id=${entry.appointmentId}`)}>
                        查看为您保留的号源
                      </Button>
                    </View>
                  )}
                </View>
              ))}
            </View>
          )
        }
      </AsyncView>
    </PageShell>
  );
}
