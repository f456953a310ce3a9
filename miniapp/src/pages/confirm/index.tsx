import Taro from '@tarojs/taro';
import { useState } from 'react';
import { AsyncView } from '../../components/async-view';
import { LoginRequired } from '../../components/login-required';
import { View } from '@tarojs/components';
import { Button } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { defaultProfileId, ProfilePicker } from '../../components/profile-picker';
import { useAsync } from '../../hooks/use-async';
import { useSession } from '../../hooks/use-session';
import { bookAppointment, idempotencyKeys } from '../../services/appointments';
import { fetchBookingRules, fetchDoctor, fetchDoctorCalendar } from '../../services/catalogue';
import { ApiError } from '../../services/interceptors';
import { fetchProfiles } from '../../services/profiles';
import { refusalText } from '../../services/refusals';
import { formatFen, formatMinutes } from '../../utils/format';
import { idParam, stringParam } from '../../utils/navigation';
import { cancelDeadline, formatClinicDate, hhmm } from '../../utils/time';

export default function ConfirmBooking() {
  const session = useSession();
  const doctorId = idParam('doctorId') ?? 0;
  const slotId = idParam('slotId') ?? 0;
  const date = stringParam('date');
  const [profileId, setProfileId] = useState<number | null>(null);
  const [booking, setBooking] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  // One key per choice of slot and 就诊人: a double tap or a retry never makes a second booking.
  const [idempotencyKey] = useState(idempotencyKeys);

  const { state, reload } = useAsync(
    async () => {
      if (!session) return null;
      const [doctor, calendar, profiles] = await Promise.all([fetchDoctor(doctorId), fetchDoctorCalendar(doctorId, { from: date, to: date }), fetchProfiles()]);
      const rules = await fetchBookingRules(doctor.department.id);
      const clinicSession = calendar.sessions.find((s) => s.slots.some((slot) => slot.id === slotId));
      const slot = clinicSession?.slots.find((s) => s.id === slotId);
      if (!clinicSession || !slot) throw new Error('该时段已不存在，请返回重新选择');
      setProfileId((current) => current ?? defaultProfileId(profiles));
      return { doctor, clinicSession, slot, profiles, rules };
    },
    [doctorId, slotId, date, session?.account.id],
    { reloadOnShow: true },
  );

  const submit = async () => {
    if (booking || !profileId) return;
    setBooking(true);
    setRefusal(null);
    try {
      const appointment = await bookAppointment(slotId, profileId, idempotencyKey(slotId, profileId));
      void Taro.redirectTo({ url: `/pages/pay/index?id=${appointment.id}` });
    } catch (error) {
      if (error instanceof ApiError) setRefusal(refusalText(error.code, error.message));
      else setRefusal('预约失败，请稍后重试');
    } finally {
      setBooking(false);
    }
  };

  if (!session) {
    return (
      <PageShell>
        <LoginRequired reason="登录后才能预约挂号" />
      </PageShell>
    );
  }

  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()}>
        {(data) =>
          data && (
            <View>
              <View className="section">
                <View className="section-title">就诊信息</View>
                <View className="kv"><View className="kv-key">医生</View><View className="kv-value">{data.doctor.name} {data.doctor.titleLabel}</View></View>
                <View className="kv"><View className="kv-key">科室</View><View className="kv-value">{data.doctor.department.name}</View></View>
                <View className="kv"><View className="kv-key">就诊时间</View><View className="kv-value">{formatClinicDate(data.clinicSession.date)} {data.clinicSession.periodLabel} {hhmm(data.slot.startTime)}-{hhmm(data.slot.endTime)}</View></View>
                <View className="kv"><View className="kv-key">就诊地点</View><View className="kv-value">{data.doctor.department.location ?? '请到门诊大厅分诊台咨询'}</View></View>
                <View className="kv"><View className="kv-key">挂号费</View><View className="kv-value fee">{formatFen(data.clinicSession.feeFen)}</View></View>
              </View>
              <ProfilePicker profiles={data.profiles} selected={profileId} onSelect={setProfileId} />
              <View className="section rule">
                <View className="strong">预约须知</View>
                {data.clinicSession.feeFen > 0 && (
                  <View>1. 提交后请在 {formatMinutes(data.rules.paymentHoldMinutes)}内完成支付，逾期预约自动失效、号源释放。</View>
                )}
                <View>
                  {data.clinicSession.feeFen > 0 ? '2' : '1'}. 就诊开始前 {formatMinutes(data.rules.cancelCutoffMinutes)}（即{' '}
                  {cancelDeadline(`${data.clinicSession.date}T${data.slot.startTime}+08:00`, data.rules.cancelCutoffMinutes).format('M月D日 HH:mm')}）前可取消，已支付的挂号费原路退回；逾时不可取消。
                </View>
                <View>
                  {data.clinicSession.feeFen > 0 ? '3' : '2'}. 同一就诊人同一出诊只能预约一次；{data.rules.noShowWindowDays} 天内爽约 {data.rules.noShowThreshold} 次将暂停预约 {data.rules.noShowBanDays} 天。
                </View>
              </View>
              {refusal && <View className="refusal" role="alert">{refusal}</View>}
              <View className="actions">
                <Button type="primary" block disabled={!profileId || booking} onClick={() => void submit()}>
                  {booking ? '正在预约…' : `确认预约 ${formatFen(data.clinicSession.feeFen)}`}
                </Button>
              </View>
            </View>
          )
        }
      </AsyncView>
    </PageShell>
  );
}
