import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { AsyncView } from '../../components/async-view';
import { LoginRequired } from '../../components/login-required';
import { Button, TabPane, Tabs } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { StatusTag } from '../../components/status-tag';
import { useAsync } from '../../hooks/use-async';
import { useSession } from '../../hooks/use-session';
import { fetchAppointments } from '../../services/appointments';
import type { AppointmentScope } from '../../services/types';
import { DOCTOR_TITLES, PERIOD_LABELS } from '../../utils/format';
import { go } from '../../utils/navigation';
import { formatClinicDate } from '../../utils/time';

const SCOPES: { value: AppointmentScope; title: string; empty: string }[] = [
  { value: 'upcoming', title: '待就诊', empty: '暂无待就诊的预约' },
  { value: 'past', title: '历史', empty: '暂无就诊记录' },
  { value: 'cancelled', title: '已取消', empty: '暂无已取消或已失效的预约' },
];

function AppointmentList({ scope, empty }: { scope: AppointmentScope; empty: string }) {
  const { state, reload } = useAsync(() => fetchAppointments(scope), [scope], { reloadOnShow: true });
  return (
    <AsyncView
      state={state}
      onRetry={() => void reload()}
      isEmpty={(items) => items.length === 0}
      emptyText={empty}
      emptyAction={
        scope === 'upcoming' && (
          <Button type="primary" size="small" onClick={() => void Taro.switchTab({ url: '/pages/index/index' })}>
            去预约
          </Button>
        )
      }
    >
      {(items) =>
        items.map((a) => (
          <View className="appointment-card" key={a.id} onClick={() => go(`/pages/appointment/index?id=${a.id}`)}>
            <View className="appointment-head">
              <View className="strong">
                {a.department.name} · {a.doctor.name} {DOCTOR_TITLES[a.doctor.title]}
              </View>
              <StatusTag status={a.status} />
            </View>
            <View className="muted">
              {formatClinicDate(a.slot.date)} {PERIOD_LABELS[a.slot.period]} {a.slot.startTime}-{a.slot.endTime}
            </View>
            <View className="row">
              <View className="muted">就诊人：{a.profile.realName}</View>
              <View className="primary">就诊序号 {a.queueNumber} 号</View>
            </View>
          </View>
        ))
      }
    </AsyncView>
  );
}

export default function MyAppointments() {
  const session = useSession();
  const [scope, setScope] = useState<AppointmentScope>('upcoming');
  if (!session) {
    return (
      <PageShell>
        <LoginRequired reason="登录后可查看您的预约" />
      </PageShell>
    );
  }
  return (
    <PageShell>
      {/* The tabs are only the switch: the list is rendered once, below, for the chosen scope. */}
      <Tabs value={scope} onChange={(value) => setScope(value as AppointmentScope)} activeType="line">
        {SCOPES.map((s) => (
          <TabPane key={s.value} value={s.value} title={s.title} />
        ))}
      </Tabs>
      {SCOPES.filter((s) => s.value === scope).map((s) => (
        <AppointmentList key={s.value} scope={s.value} empty={s.empty} />
      ))}
    </PageShell>
  );
}
