import { Text, View } from '@tarojs/components';
import type { PatientProfile } from '../services/types';
import { RELATION_LABELS } from '../utils/format';
import { go } from '../utils/navigation';

/** The 就诊人 chosen before the patient picks one: the default, else the first, else none. */
export function defaultProfileId(profiles: PatientProfile[]): number | null {
  return (profiles.find((p) => p.isDefault) ?? profiles[0])?.id ?? null;
}

/**
 * 选择就诊人, for a booking (confirm) and for 候补 (waitlist/join): the account's 就诊人, the
 * chosen one marked, and a link to add one.
 */
export function ProfilePicker({ profiles, selected, onSelect }: { profiles: PatientProfile[]; selected: number | null; onSelect: (id: number) => void }) {
  return (
    <View className="section">
      <View className="row">
        <View className="section-title">选择就诊人</View>
        <View className="primary" onClick={() => go('/pages/profile-edit/index')}>+ 添加就诊人</View>
      </View>
      {profiles.length === 0 ? (
        <View className="muted">还没有就诊人，请先添加（需填写真实姓名和证件号）。</View>
      ) : (
        profiles.map((p) => (
          <View key={p.id} className={`profile-option${p.id === selected ? ' selected' : ''}`} onClick={() => onSelect(p.id)}>
            <View className="row">
              <View className="strong">
                {p.realName} <Text className="badge">{RELATION_LABELS[p.relation]}</Text>
              </View>
              {p.id === selected && <View className="primary">已选择</View>}
            </View>
            <View className="muted">{p.idTypeLabel} {p.idNumberMasked}</View>
          </View>
        ))
      )}
    </View>
  );
}
