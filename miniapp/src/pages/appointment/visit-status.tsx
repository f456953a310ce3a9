import { View } from '@tarojs/components';
import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/nutui';
import { checkIn, fetchQueueStatus, type QueueStatus } from '../../services/appointments';
import type { AppointmentStatus } from '../../services/types';

/** Statuses whose visit is still under way: the status is polled while the page is open. */
const LIVE: AppointmentStatus[] = ['booked', 'checked_in', 'called', 'in_visit', 'passed'];
const POLL_MS = 4000;

/**
 * 就诊进度 on the appointment detail: the 签到 button inside the window (and after 过号), then
 * "已签到，前面还有 N 人" / "正在叫 12 号" / "请到 … 就诊", polled every few seconds (no sockets on
 * Lambda; the server answers each poll with one indexed query). Tells the page when the status
 * changes, so the rest of the page follows.
 */
export function VisitStatus({ appointmentId, status, onChange }: { appointmentId: number; status: AppointmentStatus; onChange: () => void }) {
  const [live, setLive] = useState<QueueStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const last = useRef(status);
  const active = LIVE.includes(status);

  useEffect(() => {
    if (!active) return undefined;
    let stopped = false;
    const poll = async () => {
      try {
        const next = await fetchQueueStatus(appointmentId);
        if (stopped) return;
        setLive(next);
        if (next.status !== last.current) {
          last.current = next.status;
          onChange();
        }
      } catch {
        // A missed poll is retried at the next tick.
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [appointmentId, active]);

  if (!active || !live) return null;
  const canCheckIn = live.checkIn.open || live.status === 'passed';
  const called = live.status === 'called';
  const doCheckIn = async () => {
    setBusy(true);
    try {
      setLive(await checkIn(appointmentId));
      onChange();
    } catch {
      // The client's toast says why (未到签到时间, 已过签到时间…).
    } finally {
      setBusy(false);
    }
  };
  return (
    <View className={`section visit-status${called ? ' called' : ''}`} data-testid="visit-status">
      <View className="section-title">就诊进度</View>
      <View className="visit-message">{live.message}</View>
      {live.callingNumber !== null && live.status !== 'called' && <View className="muted">正在叫 {live.callingNumber} 号 · 您是 {live.queueNumber} 号</View>}
      {canCheckIn && !live.message.includes('不再叫号') && (
        <Button type="primary" block disabled={busy} onClick={() => void doCheckIn()}>
          {live.status === 'passed' ? '重新签到' : '签到'}
        </Button>
      )}
    </View>
  );
}
