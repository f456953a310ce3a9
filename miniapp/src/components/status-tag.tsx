import { Text } from '@tarojs/components';
import type { AppointmentStatus } from '../services/types';
import { APPOINTMENT_STATUS_LABELS } from '../utils/format';

const TONES: Record<AppointmentStatus, string> = {
  pending_payment: 'warning',
  booked: '',
  checked_in: '',
  completed: 'success',
  cancelled: 'muted',
  expired: 'muted',
  no_show: 'danger',
  called: 'warning',
  in_visit: '',
  passed: 'danger',
};

export function StatusTag({ status }: { status: AppointmentStatus }) {
  return <Text className={`badge status ${TONES[status]}`}>{APPOINTMENT_STATUS_LABELS[status]}</Text>;
}
