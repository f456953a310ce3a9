import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { AsyncView } from '../../components/async-view';
import { DoctorCardView } from '../../components/doctor-card';
import { Button } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { useAsync } from '../../hooks/use-async';
import { fetchDoctor, fetchDoctorCalendar } from '../../services/catalogue';
import type { CalendarSlot, ClinicSession } from '../../services/types';
import { formatFen } from '../../utils/format';
import { go, idParam } from '../../utils/navigation';
import { formatClinicDate, formatInstant, hhmm, shortDayLabel, weekdayOf } from '../../utils/time';

interface Day {
  date: string;
  remaining: number;
  sessions: ClinicSession[];
}

function days(sessions: ClinicSession[]): Day[] {
  const byDate = new Map<string, Day>();
  for (const session of sessions) {
    const day = byDate.get(session.date) ?? { date: session.date, remaining: 0, sessions: [] };
    day.sessions.push(session);
    if (session.status === 'open') day.remaining += session.slots.filter((s) => s.state === 'available').reduce((n, s) => n + s.remaining, 0);
    byDate.set(session.date, day);
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}

function dayLabel(day: Day): string {
  const released = day.sessions.some((s) => s.slots.some((slot) => slot.state !== 'not_released'));
  if (!released) return '待放号';
  return day.remaining > 0 ? `余${day.remaining}` : '约满';
}

/** Full: open, no slot to book, at least one of them full (not only past): 候补 can help. */
function isFull(session: ClinicSession): boolean {
  return session.status === 'open' && !session.slots.some((s) => s.state === 'available') && session.slots.some((s) => s.state === 'full');
}

function slotNote(slot: CalendarSlot, session: ClinicSession): string {
  if (slot.state === 'available') return `余${slot.remaining}`;
  if (slot.state === 'not_released') return `${formatInstant(session.releaseAt).slice(5)} 放号`;
  return slot.stateLabel;
}

export default function DoctorCalendar() {
  const doctorId = idParam('id') ?? 0;
  const [selected, setSelected] = useState<string | null>(null);
  const { state, reload } = useAsync(
    async () => {
      const [doctor, calendar] = await Promise.all([fetchDoctor(doctorId), fetchDoctorCalendar(doctorId)]);
      void Taro.setNavigationBarTitle({ title: `${doctor.name} ${doctor.titleLabel}` });
      return { doctor, days: days(calendar.sessions) };
    },
    [doctorId],
    { reloadOnShow: true },
  );

  // First day with free places, else the first day, once the calendar is in.
  useEffect(() => {
    if (state.status !== 'ready' || (selected && state.data.days.some((d) => d.date === selected))) return;
    const first = state.data.days.find((d) => d.remaining > 0) ?? state.data.days[0];
    setSelected(first ? first.date : null);
  }, [state, selected]);

  const book = (session: ClinicSession, slot: CalendarSlot) => {
    if (slot.state !== 'available') return;
    go(`/pages/confirm/index?doctorId=${doctorId}&date=${session.date}&slotId=${slot.id}`);
  };

  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()}>
        {({ doctor, days: calendarDays }) => {
          const day = calendarDays.find((d) => d.date === selected);
          return (
            <View>
              <DoctorCardView doctor={doctor} inList={false} />
              {doctor.intro && (
                <View className="section">
                  <View className="section-title">医生简介</View>
                  <View className="muted">{doctor.intro}</View>
                </View>
              )}
              {calendarDays.length === 0 ? (
                <View className="section muted">该医生在可预约期内暂无出诊安排</View>
              ) : (
                <View className="date-strip">
                  {calendarDays.map((d) => (
                    <View
                      key={d.date}
                      className={`date-cell${d.date === selected ? ' selected' : ''}${d.remaining === 0 ? ' full' : ''}`}
                      onClick={() => setSelected(d.date)}
                    >
                      <View>{shortDayLabel(d.date)}</View>
                      <View>{weekdayOf(d.date)}</View>
                      <View className="date-remaining">{dayLabel(d)}</View>
                    </View>
                  ))}
                </View>
              )}
              {day?.sessions.map((session) => (
                <View className="section" key={session.id}>
                  <View className="session-head">
                    <View>
                      <View className="section-title" style={{ marginBottom: 0 }}>
                        {formatClinicDate(session.date)} {session.periodLabel}
                      </View>
                      <View className="muted">
                        {hhmm(session.startTime)}–{hhmm(session.endTime)} · 挂号费 <View className="fee" style={{ display: 'inline' }}>{formatFen(session.feeFen)}</View>
                      </View>
                    </View>
                    {session.status === 'suspended' ? <Text className="badge danger">停诊</Text> : <Text className="badge success">余{session.remaining}</Text>}
                  </View>
                  {session.status === 'suspended' && <View className="refusal">本次出诊已停诊{session.suspendReason ? `：${session.suspendReason}` : ''}</View>}
                  {isFull(session) && (
                    <View className="waitlist-offer">
                      <View className="muted">号源已约满，可排队候补：有人退号时按先后顺序为您保留号源。</View>
                      <Button type="primary" size="small" onClick={() => go(`/pages/waitlist/join/index?doctorId=${doctorId}&date=${session.date}&sessionId=${session.id}`)}>
                        候补
                      </Button>
                    </View>
                  )}
                  <View className="slot-grid">
                    {session.slots.map((slot) => (
                      <View
                        key={slot.id}
                        className={`slot${slot.state === 'available' ? '' : ' disabled'}`}
                        aria-disabled={slot.state !== 'available'}
                        data-state={slot.state}
                        onClick={() => book(session, slot)}
                      >
                        <View>
                          {hhmm(slot.startTime)}-{hhmm(slot.endTime)}
                        </View>
                        <View className="slot-state">{slotNote(slot, session)}</View>
                      </View>
                    ))}
                  </View>
                </View>
              ))}
            </View>
          );
        }}
      </AsyncView>
    </PageShell>
  );
}
