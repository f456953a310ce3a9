import { View } from '@tarojs/components';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { useState } from 'react';
import { AsyncView } from '../../../components/async-view';
import { Button } from '../../../components/nutui';
import { PageShell } from '../../../components/page-shell';
import { useAsync } from '../../../hooks/use-async';
import { useSession } from '../../../hooks/use-session';
import { PERIOD_LABELS } from '../../../utils/format';
import { go, idParam } from '../../../utils/navigation';
import { formatClinicDate } from '../../../utils/time';
import { DoctorLoginRequired } from '../../components/doctor-login-required';
import { callNext, fetchQueue, visitStep, type QueueEntry, type SessionQueue, type VisitStep } from '../../services/queue';

const STATUS: Record<string, string> = { checked_in: '候诊', called: '叫号中', in_visit: '就诊中', passed: '过号', booked: '未签到', pending_payment: '待支付' };

function Entry({ entry, action }: { entry: QueueEntry; action?: { label: string; run: () => void } }) {
  return (
    <View className="queue-row" data-queue-number={entry.queueNumber}>
      <View className="queue-no">{entry.queueNumber}</View>
      <View className="queue-name">
        {entry.patientName}
        <View className="muted">
          {entry.slotStart} · {STATUS[entry.status] ?? entry.status}
          {entry.late ? ' · 迟到/返回' : ''}
          {entry.passedCount > 0 ? ` · 过号 ${entry.passedCount} 次` : ''}
        </View>
      </View>
      {action && (
        <Button size="small" fill="outline" type="primary" onClick={action.run}>
          {action.label}
        </Button>
      )}
    </View>
  );
}

/**
 * 候诊队列 of one session: counts, the current patient with 复呼 / 过号 / 开始 / 完成, 叫号 for
 * the next, the waiting list in calling order, the passed (签到 again when they come back) and
 * those not yet arrived (签到 at the desk). Pull down to refresh.
 */
export default function Queue() {
  const session = useSession();
  const id = idParam('id') ?? 0;
  const [busy, setBusy] = useState(false);
  const { state, reload, setState } = useAsync(() => (session ? fetchQueue(id) : Promise.resolve(null)), [session?.account.id, id], { reloadOnShow: true });

  usePullDownRefresh(() => {
    void reload(false).finally(() => Taro.stopPullDownRefresh());
  });

  const act = async (work: () => Promise<SessionQueue>) => {
    setBusy(true);
    try {
      setState({ status: 'ready', data: await work() });
    } catch {
      // The client's toast says why (暂无候诊患者…); show the queue as it is now.
      await reload(false);
    } finally {
      setBusy(false);
    }
  };
  const step = (appointmentId: number, name: VisitStep) => () => void act(() => visitStep(appointmentId, name));

  if (!session) {
    return (
      <PageShell>
        <DoctorLoginRequired />
      </PageShell>
    );
  }
  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()}>
        {(q) =>
          q && (
            <View className="queue">
              <View className="section">
                <View className="strong">
                  {formatClinicDate(q.session.date)} {PERIOD_LABELS[q.session.period]} {q.session.startTime}–{q.session.endTime}
                </View>
                <View className="muted">{q.session.room}</View>
                <View className="queue-counts">
                  {[
                    ['总数', q.counts.total],
                    ['已签到', q.counts.checkedIn],
                    ['候诊', q.counts.waiting],
                    ['已完成', q.counts.completed],
                    ['过号', q.counts.passed],
                    ['爽约', q.counts.noShow],
                  ].map(([label, n]) => (
                    <View key={label} className="queue-count">
                      <View className="queue-count-n">{n}</View>
                      <View className="queue-count-label">{label}</View>
                    </View>
                  ))}
                </View>
              </View>

              <View className="section current-card" data-testid="current-patient">
                <View className="section-title">当前患者</View>
                {q.current ? (
                  <>
                    <View className="current-line">
                      <View className="current-no">{q.current.queueNumber} 号</View>
                      <View className="current-name">{q.current.patientName}</View>
                      <View className="tag current-state">{STATUS[q.current.status]}</View>
                    </View>
                    <View className="link" onClick={() => go(`/pages/patient/index?id=${q.current!.appointmentId}`)}>
                      查看患者信息与健康档案 ›
                    </View>
                    <View className="queue-actions">
                      {q.current.status === 'called' ? (
                        <>
                          <Button size="small" disabled={busy} onClick={step(q.current.appointmentId, 'recall')}>复呼</Button>
                          <Button size="small" type="danger" fill="outline" disabled={busy} onClick={step(q.current.appointmentId, 'pass')}>过号</Button>
                          <Button size="small" type="primary" disabled={busy} onClick={step(q.current.appointmentId, 'start')}>开始就诊</Button>
                        </>
                      ) : (
                        <Button size="small" type="success" disabled={busy} onClick={step(q.current.appointmentId, 'complete')}>完成就诊</Button>
                      )}
                    </View>
                  </>
                ) : (
                  <View className="muted">暂无正在就诊的患者</View>
                )}
              </View>

              <View className="actions">
                <Button type="primary" block disabled={busy || q.current !== null || q.waiting.length === 0} onClick={() => void act(() => callNext(id))}>
                  {q.current !== null ? '完成或过号当前患者后可叫下一位' : q.waiting.length === 0 ? '暂无候诊患者' : `叫号（下一位 ${q.waiting[0]!.queueNumber} 号）`}
                </Button>
              </View>

              <View className="section">
                <View className="section-title">候诊 {q.waiting.length} 人</View>
                {q.waiting.length === 0 ? <View className="muted">患者签到后出现在这里</View> : q.waiting.map((e) => <Entry key={e.appointmentId} entry={e} />)}
              </View>
              {q.passed.length > 0 && (
                <View className="section">
                  <View className="section-title">过号 {q.passed.length} 人</View>
                  {q.passed.map((e) => (
                    <Entry key={e.appointmentId} entry={e} action={{ label: '重新签到', run: step(e.appointmentId, 'check-in') }} />
                  ))}
                </View>
              )}
              {q.notArrived.length > 0 && (
                <View className="section">
                  <View className="section-title">未签到 {q.notArrived.length} 人</View>
                  {q.notArrived.map((e) => (
                    <Entry key={e.appointmentId} entry={e} action={e.status === 'booked' ? { label: '签到', run: step(e.appointmentId, 'check-in') } : undefined} />
                  ))}
                </View>
              )}
            </View>
          )
        }
      </AsyncView>
    </PageShell>
  );
}
