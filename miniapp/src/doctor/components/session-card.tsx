import { View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { formatFen, PERIOD_LABELS } from '../../utils/format';
import { formatClinicDate, hhmm } from '../../utils/time';
import type { ScheduleSession, ScheduleSlot } from '../services/schedule';

/** Booked places over capacity, for a session or one of its slots. */
export function bookedOf(slots: ScheduleSlot[]): { booked: number; capacity: number } {
  return slots.reduce((sum, s) => ({ booked: sum.booked + s.booked, capacity: sum.capacity + s.capacity }), { booked: 0, capacity: 0 });
}

/** "11月29日 周日 上午" */
export function sessionLabel(session: ScheduleSession): string {
  return `${formatClinicDate(session.date)} ${PERIOD_LABELS[session.period] ?? ''}`;
}

interface Props {
  session: ScheduleSession;
  /** Drawn under the slot row it belongs to (the capacity editor), keyed by slot id. */
  slotExtra?: (slot: ScheduleSlot) => ReactNode;
  /** Drawn after the header (fee editor, actions). */
  children?: ReactNode;
}

/** One clinic session: date, hours, fee, its state, and booked / capacity per slot and in total. */
export function SessionCard({ session, slotExtra, children }: Props) {
  const total = bookedOf(session.slots);
  const suspended = session.status === 'suspended';
  return (
    <View className={`section session-card${suspended ? ' suspended' : ''}`} data-session={session.id}>
      <View className="row">
        <View className="strong">{sessionLabel(session)}</View>
        {suspended ? <View className="tag tag-danger">已停诊</View> : <View className="session-total">已约 {total.booked} / {total.capacity}</View>}
      </View>
      <View className="muted">
        {hhmm(session.startTime)}–{hhmm(session.endTime)} · 挂号费 {formatFen(session.feeFen)}
      </View>
      {suspended && session.suspendReason && <View className="muted danger">停诊原因：{session.suspendReason}</View>}
      {children}
      <View className="slot-list">
        {session.slots.map((slot) => (
          <View key={slot.id} className="slot-item" data-slot={slot.id}>
            <View className="slot-row">
              <View>
                {hhmm(slot.startTime)}–{hhmm(slot.endTime)}
              </View>
              <View className={slot.booked >= slot.capacity && slot.capacity > 0 ? 'slot-count full' : 'slot-count'}>
                {slot.booked} / {slot.capacity}
              </View>
            </View>
            {slotExtra?.(slot)}
          </View>
        ))}
      </View>
    </View>
  );
}
