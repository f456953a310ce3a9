import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { AppointmentInfo } from '../../components/appointment-info';
import { AsyncView } from '../../components/async-view';
import { Button } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { useAsync } from '../../hooks/use-async';
import { fetchAppointment, payAppointment } from '../../services/appointments';
import { formatCountdown, formatFen } from '../../utils/format';
import { idParam } from '../../utils/navigation';

function secondsLeft(holdExpiresAt: string | null): number {
  return holdExpiresAt ? Math.max(0, Math.round((Date.parse(holdExpiresAt) - Date.now()) / 1000)) : 0;
}

/** Simulated payment for a held place, with the hold's countdown. */
export default function Pay() {
  const id = idParam('id') ?? 0;
  const [paying, setPaying] = useState(false);
  const [left, setLeft] = useState<number | null>(null);
  const { state, reload } = useAsync(() => fetchAppointment(id), [id]);

  const appointment = state.status === 'ready' ? state.data : null;
  useEffect(() => {
    if (!appointment) return;
    if (appointment.status === 'booked') {
      void Taro.redirectTo({ url: `/pages/success/index?id=${appointment.id}` });
      return;
    }
    if (appointment.status !== 'pending_payment') return;
    setLeft(secondsLeft(appointment.holdExpiresAt));
    const timer = setInterval(() => setLeft(secondsLeft(appointment.holdExpiresAt)), 1000);
    return () => clearInterval(timer);
  }, [appointment]);

  const pay = async () => {
    if (paying) return;
    setPaying(true);
    try {
      await payAppointment(id);
      void Taro.redirectTo({ url: `/pages/success/index?id=${id}` });
    } catch {
      // The toast said why (e.g. 支付超时); show the appointment as it now stands.
      void reload(false);
    } finally {
      setPaying(false);
    }
  };

  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()}>
        {(a) => {
          const expired = a.status === 'expired' || (a.status === 'pending_payment' && left === 0);
          return (
            <View>
              <View className="section">
                {a.status === 'pending_payment' && !expired && (
                  <View className="countdown">
                    <View className="muted">号源已为您保留，请在倒计时结束前完成支付</View>
                    <View className="countdown-time">{formatCountdown(left ?? secondsLeft(a.holdExpiresAt))}</View>
                  </View>
                )}
                {expired && <View className="refusal">支付超时，预约已失效，号源已释放。请重新预约。</View>}
                {a.status === 'cancelled' && <View className="refusal">该预约已取消。</View>}
                <View className="pay-amount fee">{formatFen(a.feeFen)}</View>
              </View>
              <View className="section">
                <AppointmentInfo appointment={a} />
              </View>
              <View className="actions">
                {a.status === 'pending_payment' && !expired ? (
                  <Button type="primary" block disabled={paying} onClick={() => void pay()}>
                    {paying ? '正在支付…' : `确认支付 ${formatFen(a.feeFen)}（模拟支付）`}
                  </Button>
                ) : (
                  <Button type="default" block onClick={() => void Taro.switchTab({ url: '/pages/index/index' })}>
                    返回首页
                  </Button>
                )}
              </View>
            </View>
          );
        }}
      </AsyncView>
    </PageShell>
  );
}
