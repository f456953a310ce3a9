/**
 * Pure slot planning: cuts a clinic session into time slots and gives each its range of queue
 * numbers (就诊序号). Numbers run on through the session in time order — the first slot of a
 * morning owns 1…c, the next c+1…2c — so a patient's number also tells the order of the day.
 */
import type { LocalTime } from '../time/shanghai.js';

export interface PlannedSlot {
  startTime: LocalTime; // HH:MM:SS
  endTime: LocalTime;
  capacity: number;
  seqStart: number;
  seqCount: number;
}

export const PERIOD_LABELS = { morning: '上午', afternoon: '下午', evening: '晚上' } as const;
export type Period = keyof typeof PERIOD_LABELS;

/** Most numbers a session may hand out (the queue_number column is SMALLINT UNSIGNED). */
export const MAX_SESSION_NUMBERS = 999;

export function toMinutes(time: LocalTime): number {
  const [h = '0', m = '0'] = time.split(':');
  return Number(h) * 60 + Number(m);
}

export function fromMinutes(minutes: number): LocalTime {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;
}

/**
 * Slots of `slotMinutes` from `start` up to `end`; a last piece shorter than a slot is dropped
 * (a 08:00–11:45 session in 30-minute slots ends its last slot at 11:30).
 * Returns undefined when the times cannot form at least one slot or exceed the numbering.
 */
export function planSlots(
  start: LocalTime,
  end: LocalTime,
  slotMinutes: number,
  capacityPerSlot: number,
  firstSeq = 1,
): PlannedSlot[] | undefined {
  const from = toMinutes(start);
  const to = toMinutes(end);
  if (slotMinutes <= 0 || capacityPerSlot <= 0 || to - from < slotMinutes) return undefined;
  const slots: PlannedSlot[] = [];
  for (let t = from, seq = firstSeq; t + slotMinutes <= to; t += slotMinutes, seq += capacityPerSlot) {
    slots.push({ startTime: fromMinutes(t), endTime: fromMinutes(t + slotMinutes), capacity: capacityPerSlot, seqStart: seq, seqCount: capacityPerSlot });
  }
  const last = slots.at(-1)!;
  if (last.seqStart + last.seqCount - 1 > MAX_SESSION_NUMBERS) return undefined;
  return slots;
}

/** Which half-day a start time belongs to. */
export function periodOf(start: LocalTime): Period {
  const minutes = toMinutes(start);
  if (minutes < 12 * 60) return 'morning';
  if (minutes < 18 * 60) return 'afternoon';
  return 'evening';
}
