import { View } from '@tarojs/components';
import type { Appointment } from '../services/types';
import { DOCTOR_TITLES, formatFen, PERIOD_LABELS } from '../utils/format';
import { formatClinicDate } from '../utils/time';

function Row({ k, v, className }: { k: string; v: string; className?: string }) {
  return (
    <View className="kv">
      <View className="kv-key">{k}</View>
      <View className={`kv-value${className ? ` ${className}` : ''}`}>{v}</View>
    </View>
  );
}

/** The facts of one appointment, as the patient needs them on the day. */
export function AppointmentInfo({ appointment: a }: { appointment: Appointment }) {
  return (
    <View>
      <Row k="就诊人" v={a.profile.realName} />
      <Row k="医生" v={`${a.doctor.name} ${DOCTOR_TITLES[a.doctor.title] ?? ''}`} />
      <Row k="科室" v={a.department.name} />
      <Row k="就诊时间" v={`${formatClinicDate(a.slot.date)} ${PERIOD_LABELS[a.slot.period] ?? ''} ${a.slot.startTime}-${a.slot.endTime}`} />
      <Row k="就诊地点" v={a.department.location ?? '请到门诊大厅分诊台咨询'} />
      <Row k="就诊序号" v={`${a.queueNumber} 号`} className="strong" />
      <Row k="挂号费" v={formatFen(a.feeFen)} className="fee" />
      <Row k="订单号" v={a.orderNo} />
    </View>
  );
}
