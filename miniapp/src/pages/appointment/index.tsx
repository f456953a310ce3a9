import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { AppointmentInfo } from '../../components/appointment-info';
import { AsyncView } from '../../components/async-view';
import { Button } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { StatusTag } from '../../components/status-tag';
import { useAsync } from '../../hooks/use-async';
import { cancelAppointment, fetchAppointment } from '../../services/appointments';
import { fetchBookingRules } from '../../services/catalogue';
import type { Appointment } from '../../services/types';
import { CANCEL_SOURCE_LABELS, formatFen, formatMinutes } from '../../utils/format';
import { idParam } from '../../utils/navigation';
import { cancelDeadline, formatInstant, inShanghai } from '../../utils/time';
import { VisitStatus } from './visit-status';

/** Cancellable by the patient: still pending or booked, and before the cut-off. */
function cancellable(a: Appointment & { deadline: Dayjs }): boolean {
  return (a.status === 'pending_payment' || a.status === 'booked') && inShanghai().isBefore(a.deadline);
}

export default function AppointmentDetail() {
  const id = idParam('id') ?? 0;
  const [cancelling, setCancelling] = useState(false);
  const { state, reload } = useAsync(
    async () => {
      const appointment = await fetchAppointment(id);
      const rules = await fetchBookingRules(appointment.department.id);
      return { ...appointment, deadline: cancelDeadline(appointment.slot.startsAt, rules.cancelCutoffMinutes), cutoffMinutes: rules.cancelCutoffMinutes };
    },
    [id],
    { reloadOnShow: true },
  );

  const cancel = async (a: Appointment & { deadline: Dayjs }) => {
    const paid = a.status === 'booked';
    const { confirm } = await Taro.showModal({
      title: '取消预约',
      content: `确定取消 ${a.slot.date} ${a.slot.startTime} ${a.doctor.name} 的预约吗？${paid ? `已支付的 ${formatFen(a.feeFen)} 将原路退回。` : ''}${a.deadline.format('M月D日 HH:mm')} 后将无法取消。`,
      confirmText: '确定取消',
      cancelText: '再想想',
    });
    if (!confirm) return;
    setCancelling(true);
    try {
      await cancelAppointment(a.id);
      void Taro.showToast({ title: '已取消，号源已释放', icon: 'success' });
      await reload(false);
    } catch {
      // The toast explained it (e.g. 已过取消时限).
    } finally {
      setCancelling(false);
    }
  };

  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()}>
        {(a) => (
          <View>
            <View className="section">
              <View className="row">
                <View className="section-title">预约信息</View>
                <StatusTag status={a.status} />
              </View>
              <AppointmentInfo appointment={a} />
              {a.paidAt && <View className="muted">支付时间：{formatInstant(a.paidAt)}</View>}
              {a.cancelledAt && (
                <View className="muted">
                  取消时间：{formatInstant(a.cancelledAt)}（{CANCEL_SOURCE_LABELS[a.cancelSource ?? 'system']}
                  {a.cancelReason ? `：${a.cancelReason}` : ''}）
                </View>
              )}
            </View>
            <VisitStatus appointmentId={a.id} status={a.status} onChange={() => void reload(false)} />
            {(a.status === 'pending_payment' || a.status === 'booked') && (
              <View className="section rule">
                取消规则：就诊开始前 {formatMinutes(a.cutoffMinutes)}，即 {a.deadline.format('M月D日 HH:mm')} 前可取消，已支付的挂号费原路退回；
                {cancellable(a) ? '超过时限无法取消' : '已过取消时限，无法取消'}，未就诊将记录爽约。
              </View>
            )}
            <View className="actions">
              {a.status === 'pending_payment' && (
                <Button type="primary" block onClick={() => void Taro.navigateTo({ url: `/pages/pay/index?id=${a.id}` })}>
                  去支付 {formatFen(a.feeFen)}
                </Button>
              )}
              {cancellable(a) && (
                <Button type="danger" fill="outline" block disabled={cancelling} onClick={() => void cancel(a)}>
                  取消预约
                </Button>
              )}
            </View>
          </View>
        )}
      </AsyncView>
    </PageShell>
  );
}
