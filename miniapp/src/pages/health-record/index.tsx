import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { AsyncView } from '../../components/async-view';
import { Field } from '../../components/field';
import { Button, Radio, RadioGroup, TextArea } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { useAsync } from '../../hooks/use-async';
import { fetchHealthRecord, saveHealthRecord } from '../../services/profiles';
import type { BloodType, HealthRecord, RhFactor } from '../../services/types';
import { idParam, stringParam } from '../../utils/navigation';
import { formatInstant } from '../../utils/time';

type Draft = Omit<HealthRecord, 'updatedAt'>;
const BLOOD_TYPES: [BloodType, string][] = [['A', 'A 型'], ['B', 'B 型'], ['AB', 'AB 型'], ['O', 'O 型'], ['unknown', '不详']];
const RH: [RhFactor, string][] = [['positive', 'Rh 阳性'], ['negative', 'Rh 阴性'], ['unknown', '不详']];
const TEXTS: { key: 'allergies' | 'chronicConditions' | 'medications' | 'notes'; label: string; max: number; placeholder: string }[] = [
  { key: 'allergies', label: '过敏史', max: 500, placeholder: '如：青霉素过敏；无则留空' },
  { key: 'chronicConditions', label: '慢性病史', max: 500, placeholder: '如：高血压、糖尿病' },
  { key: 'medications', label: '长期用药', max: 500, placeholder: '如：二甲双胍 每日两次' },
  { key: 'notes', label: '其他备注', max: 1000, placeholder: '其他需要医生了解的情况' },
];

export default function HealthRecordPage() {
  const profileId = idParam('profileId') ?? 0;
  const name = stringParam('name');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saving, setSaving] = useState(false);
  const { state, reload, setState } = useAsync(() => fetchHealthRecord(profileId), [profileId]);

  useEffect(() => {
    if (name) void Taro.setNavigationBarTitle({ title: `${name}的健康档案` });
  }, [name]);
  useEffect(() => {
    if (state.status !== 'ready') return;
    const { updatedAt: _updatedAt, ...record } = state.data;
    setDraft(record);
  }, [state]);

  const save = async () => {
    if (!draft || saving) return;
    setSaving(true);
    try {
      const saved = await saveHealthRecord(profileId, draft);
      setState({ status: 'ready', data: saved });
      void Taro.showToast({ title: '已保存', icon: 'success' });
    } catch {
      // The toast said why.
    } finally {
      setSaving(false);
    }
  };

  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()}>
        {(record) =>
          draft && (
            <View>
              <View className="form">
                <Field label="血型">
                  <RadioGroup value={draft.bloodType} onChange={(v) => setDraft({ ...draft, bloodType: v as BloodType })} direction="horizontal">
                    {BLOOD_TYPES.map(([value, label]) => (
                      <Radio key={value} value={value} shape="button">{label}</Radio>
                    ))}
                  </RadioGroup>
                </Field>
                <Field label="Rh 血型">
                  <RadioGroup value={draft.rhFactor} onChange={(v) => setDraft({ ...draft, rhFactor: v as RhFactor })} direction="horizontal">
                    {RH.map(([value, label]) => (
                      <Radio key={value} value={value} shape="button">{label}</Radio>
                    ))}
                  </RadioGroup>
                </Field>
                {TEXTS.map((t) => (
                  <Field key={t.key} label={t.label}>
                    <TextArea value={draft[t.key]} maxLength={t.max} placeholder={t.placeholder} onChange={(value) => setDraft({ ...draft, [t.key]: value })} />
                  </Field>
                ))}
              </View>
              <View className="muted" style={{ margin: '0 16px' }}>
                {record.updatedAt ? `上次更新：${formatInstant(record.updatedAt)}` : '尚未填写，填写后就诊时医生可参考。'}
              </View>
              <View className="actions">
                <Button type="primary" block disabled={saving} onClick={() => void save()}>
                  保存健康档案
                </Button>
              </View>
            </View>
          )
        }
      </AsyncView>
    </PageShell>
  );
}
