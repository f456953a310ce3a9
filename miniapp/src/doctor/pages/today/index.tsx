import { View } from '@tarojs/components';
import { AsyncView } from '../../../components/async-view';
import { PageShell } from '../../../components/page-shell';
import { useAsync } from '../../../hooks/use-async';
import { useSession } from '../../../hooks/use-session';
import { go } from '../../../utils/navigation';
import { formatClinicDate, shanghaiToday } from '../../../utils/time';
import { DoctorLoginRequired } from '../../components/doctor-login-required';
import { bookedOf, SessionCard } from '../../components/session-card';
import { fetchDayCounts } from '../../services/queue';
import { fetchMySessions } from '../../services/schedule';

/** 今日: the doctor's sessions of the Shanghai day, with booked / capacity per slot; a tap opens its queue. */
export default function Today() {
  const session = useSession();
  const today = shanghaiToday();
  const { state, reload } = useAsync(
    async () => {
      if (!session) return [];
      const [sessions, counts] = await Promise.all([fetchMySessions(today, today), fetchDayCounts(today)]);
      return sessions.map((s) => ({ ...s, counts: counts.get(s.id) }));
    },
    [session?.account.id, today],
    { reloadOnShow: true },
  );

  return (
    <PageShell>
      <View className="doctor-banner">
        <View className="banner-name">{session ? `${session.account.displayName ?? '医生'}，您好` : '医生工作站'}</View>
        <View className="banner-sub">今天是 {formatClinicDate(today)}</View>
      </View>
      {!session ? (
        <DoctorLoginRequired />
      ) : (
        <AsyncView state={state} onRetry={() => void reload()} isEmpty={(items) => items.length === 0} emptyText="今天没有出诊安排">
          {(items) => {
            const total = bookedOf(items.filter((s) => s.status === 'open').flatMap((s) => s.slots));
            return (
              <>
                <View className="summary">
                  今日 {items.length} 场出诊 · 已约 <View className="strong inline">{total.booked}</View> / {total.capacity}
                </View>
                {items.map((s) => (
                  <View key={s.id} className="session-link" onClick={() => s.status === 'open' && go(`/pages/queue/index?id=${s.id}`)}>
                    <SessionCard session={s}>
                      {s.counts && (
                        <View className="muted day-counts">
                          已签到 {s.counts.checkedIn} · 候诊 {s.counts.waiting} · 已完成 {s.counts.completed} · 过号 {s.counts.passed} · 爽约 {s.counts.noShow}
                        </View>
                      )}
                      {s.status === 'open' && <View className="link">进入候诊队列 ›</View>}
                    </SessionCard>
                  </View>
                ))}
              </>
            );
          }}
        </AsyncView>
      )}
    </PageShell>
  );
}
