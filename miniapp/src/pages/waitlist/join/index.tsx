import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { AsyncView } from '../../../components/async-view';
import { LoginRequired } from '../../../components/login-required';
import { Button } from '../../../components/nutui';
import { PageShell } from '../../../components/page-shell';
import { defaultProfileId, ProfilePicker } from '../../../components/profile-picker';
import { useAsync } from '../../../hooks/use-async';
import { useSession } from '../../../hooks/use-session';
import { fetchBookingRules, fetchDoctor, fetchDoctorCalendar } from '../../../services/catalogue';
import { ApiError } from '../../../services/interceptors';
import { fetchProfiles } from '../../../services/profiles';
import type { ApiErrorCode } from '../../../services/types';
import { joinWaitlist } from '../../../services/waitlist';
import { formatFen, formatMinutes } from '../../../utils/format';
import { idParam, stringParam } from '../../../utils/navigation';
import { formatClinicDate, hhmm } from '../../../utils/time';

const ADVICE: Partial<Record<ApiErrorCode, string>> = {
  WAITLIST_NOT_FULL: '请返回直接预约。',
  WAITLIST_LIMIT_REACHED: '可在“我的候补”中取消其他候补后再试。',
  ALREADY_WAITING: '可在“我的候补”中查看排队位次。',
  ALREADY_BOOKED: '可在“我的预约”中查看已有的预约。',
  DAILY_LIMIT_REACHED: '请改选其他日期。',
  DEPARTMENT_DAILY_LIMIT_REACHED: '请改选其他日期。',
  BOOKING_BANNED: '如有疑问请联系医院门诊办公室。',
  WAITLIST_CLOSED: '请选择其他日期。',
};

/** 候补: for a full session, choose a 就诊人 (and optionally only some time ranges) and join its waitlist. */
export default function JoinWaitlist() {
  const session = useSession();
  const doctorId = idParam('doctorId') ?? 0;
  const sessionId = idParam('sessionId') ?? 0;
  const date = stringParam('date');
  const [profileId, setProfileId] = useState<number | null>(null);
  const [starts, setStarts] = useState<string[]>([]);
  const [joining, setJoining] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  const { state, reload } = useAsync(
    async () => {
      if (!session) return null;
      const [doctor, calendar, profiles] = await Promise.all([fetchDoctor(doctorId), fetchDoctorCalendar(doctorId, { from: date, to: date }), fetchProfiles()]);
      const rules = await fetchBookingRules(doctor.department.id);
      const clinicSession = calendar.sessions.find((s) => s.id === sessionId);
      if (!clinicSession) throw new Error('该出诊已不存在，请返回重新选择');
      setProfileId((current) => current ?? defaultProfileId(profiles));
      return { doctor, clinicSession, profiles, rules };
    },
    [doctorId, sessionId, date, session?.account.id],
  );

  const toggle = (start: string) => setStarts((current) => (current.includes(start) ? current.filter((s) => s !== start) : [...current, start]));

  const submit = async () => {
    if (joining || !profileId) return;
    setJoining(true);
    setRefusal(null);
    try {
      await joinWaitlist(sessionId, profileId, starts.map(hhmm));
      void Taro.showToast({ title: '已加入候补', icon: 'success' });
      void Taro.redirectTo({ url: '/pages/waitlist/mine/index' });
    } catch (error) {
      if (error instanceof ApiError) {
        const advice = ADVICE[error.code as ApiErrorCode];
        setRefusal(advice ? `${error.message}，${advice}` : error.message);
      } else setRefusal('加入候补失败，请稍后重试');
    } finally {
      setJoining(false);
    }
  };

  if (!session) {
    return (
      <PageShell>
        <LoginRequired reason="登录后才能候补挂号" />
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
                <View className="section-title">候补出诊</View>
                <View className="kv"><View className="kv-key">医生</View><View className="kv-value">{data.doctor.name} {data.doctor.titleLabel}</View></View>
                <View className="kv"><View className="kv-key">科室</View><View className="kv-value">{data.doctor.department.name}</View></View>
                <View className="kv"><View className="kv-key">就诊时间</View><View className="kv-value">{formatClinicDate(data.clinicSession.date)} {data.clinicSession.periodLabel}</View></View>
                <View className="kv"><View className="kv-key">挂号费</View><View className="kv-value fee">{formatFen(data.clinicSession.feeFen)}</View></View>
              </View>
              <View className="section">
                <View className="section-title">只候补这些时段（可不选，不选表示任意时段）</View>
                <View className="slot-grid">
                  {data.clinicSession.slots
                    .filter((slot) => slot.state === 'full')
                    .map((slot) => (
                      <View key={slot.id} className={`slot${starts.includes(slot.startTime) ? ' selected' : ''}`} aria-pressed={starts.includes(slot.startTime)} onClick={() => toggle(slot.startTime)}>
                        <View>{hhmm(slot.startTime)}-{hhmm(slot.endTime)}</View>
                        <View className="slot-state">{starts.includes(slot.startTime) ? '已选' : '约满'}</View>
                      </View>
                    ))}
                </View>
              </View>
              <ProfilePicker profiles={data.profiles} selected={profileId} onSelect={setProfileId} />
              <View className="section rule">
                <View className="strong">候补须知</View>
                <View>1. 有人退号或新增号源时，按候补先后顺序自动为您保留号源，并通过“消息”通知您。</View>
                <View>
                  2. 保留的号源请在 {formatMinutes(data.rules.waitlistOfferHoldMinutes)}内完成支付，逾期将顺延给下一位候补者。
                </View>
                <View>3. 就诊前一天 {data.rules.waitlistCloseMinutes === 360 ? '18:00' : `（就诊日 0 点前 ${formatMinutes(data.rules.waitlistCloseMinutes)}）`} 候补截止，仍未候补到的将自动结束。</View>
                <View>4. 每位就诊人最多同时候补 {data.rules.waitlistMaxPerProfile} 个出诊。</View>
              </View>
              {refusal && <View className="refusal" role="alert">{refusal}</View>}
              <View className="actions">
                <Button type="primary" block disabled={!profileId || joining} onClick={() => void submit()}>
                  {joining ? '正在提交…' : '加入候补'}
                </Button>
              </View>
            </View>
          )
        }
      </AsyncView>
    </PageShell>
  );
}
