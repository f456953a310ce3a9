import { Image, View } from '@tarojs/components';
import type { DoctorCard as Doctor } from '../services/types';
import { formatFen } from '../utils/format';
import { shortDayLabel } from '../utils/time';

export function DoctorAvatar({ doctor }: { doctor: Pick<Doctor, 'name' | 'photoUrl'> }) {
  return (
    <View className="avatar">
      {doctor.photoUrl ? <Image className="avatar-image" src={doctor.photoUrl} mode="aspectFill" /> : doctor.name.slice(0, 1)}
    </View>
  );
}

/** The next days at a glance: 余N, 约满, or 待放号 for days whose places are not out yet. */
function Availability({ days }: { days: Doctor['availability'] }) {
  if (days.length === 0) return <View className="avail"><View className="avail-day none">近期无出诊</View></View>;
  return (
    <View className="avail">
      {days.map((day) => {
        const label = shortDayLabel(day.date);
        if (!day.released) return <View className="avail-day later" key={day.date}>{label} 待放号</View>;
        if (day.remaining === 0) return <View className="avail-day none" key={day.date}>{label} 约满</View>;
        return <View className="avail-day" key={day.date}>{label} 余{day.remaining}</View>;
      })}
    </View>
  );
}

/** In a list: with the doctor's usual fee and the next days; on the calendar each session shows its own fee. */
export function DoctorCardView({ doctor, onClick, inList = true }: { doctor: Doctor; onClick?: () => void; inList?: boolean }) {
  return (
    <View className="doctor-card" onClick={onClick}>
      <DoctorAvatar doctor={doctor} />
      <View className="doctor-main">
        <View className="row">
          <View className="doctor-heading">
            <View className="doctor-name">{doctor.name}</View>
            <View className="badge">{doctor.titleLabel}</View>
          </View>
          {inList && <View className="fee">{formatFen(doctor.feeFen)}</View>}
        </View>
        <View className="doctor-specialty">
          {doctor.department.name}
          {doctor.specialty ? ` · 擅长：${doctor.specialty}` : ''}
        </View>
        {inList && <Availability days={doctor.availability} />}
      </View>
    </View>
  );
}
