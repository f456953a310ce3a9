import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { AsyncView } from '../../components/async-view';
import { Field } from '../../components/field';
import { LoginRequired } from '../../components/login-required';
import { Button, Input, Radio, RadioGroup, Switch } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { useAsync } from '../../hooks/use-async';
import { useSession } from '../../hooks/use-session';
import { createProfile, fetchProfiles, updateProfile } from '../../services/profiles';
import type { IdType, Relation } from '../../services/types';
import { RELATION_LABELS } from '../../utils/format';
import { isValidPhone, isValidResidentId } from '../../utils/id-number';
import { idParam } from '../../utils/navigation';

const ID_TYPES: { value: IdType; label: string }[] = [
  { value: 'resident_id', label: '居民身份证' },
  { value: 'passport', label: '护照' },
  { value: 'hk_macao_permit', label: '港澳通行证' },
  { value: 'taiwan_permit', label: '台胞证' },
  { value: 'foreign_permanent', label: '外国人永居证' },
];
const RELATIONS = Object.entries(RELATION_LABELS) as [Relation, string][];

function nameProblem(name: string): string | null {
  const n = name.trim();
  if (n.length < 2) return '姓名至少 2 个字';
  if (!/^[\u4e00-\u9fa5A-Za-z·•. ]+$/.test(n)) return '姓名只能包含汉字、字母和间隔号';
  return null;
}

function idProblem(idType: IdType, idNumber: string): string | null {
  const id = idNumber.trim();
  if (!id) return '请输入证件号码';
  if (idType === 'resident_id') return isValidResidentId(id) ? null : '身份证号码不正确，请核对（18 位，末位可为 X）';
  return id.length >= 5 && id.length <= 32 ? null : '证件号码长度不正确';
}

/** Add a 就诊人, or edit one (?id=): an ID document cannot be changed once saved. */
export default function ProfileEdit() {
  const session = useSession();
  const id = idParam('id');
  const [realName, setRealName] = useState('');
  const [idType, setIdType] = useState<IdType>('resident_id');
  const [idNumber, setIdNumber] = useState('');
  const [gender, setGender] = useState<'male' | 'female'>('male');
  const [birthDate, setBirthDate] = useState('');
  const [phone, setPhone] = useState('');
  const [relation, setRelation] = useState<Relation>('self');
  const [isDefault, setIsDefault] = useState(false);
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);

  const { state, reload } = useAsync(
    async () => {
      if (!id || !session) return null;
      const profile = (await fetchProfiles()).find((p) => p.id === id);
      if (!profile) throw new Error('就诊人不存在');
      return profile;
    },
    [id, session?.account.id],
  );
  const existing = state.status === 'ready' ? state.data : null;
  useEffect(() => {
    if (!existing) return;
    setRealName(existing.realName);
    setRelation(existing.relation);
    setIsDefault(existing.isDefault);
    void Taro.setNavigationBarTitle({ title: '编辑就诊人' });
  }, [existing]);

  const needsGenderAndBirth = !existing && idType !== 'resident_id';
  const errors = {
    realName: nameProblem(realName),
    idNumber: existing ? null : idProblem(idType, idNumber),
    birthDate: needsGenderAndBirth && !/^\d{4}-\d{2}-\d{2}$/.test(birthDate) ? '请按 1990-01-31 的格式填写出生日期' : null,
    phone: existing && !phone ? null : isValidPhone(phone) ? null : '请输入正确的 11 位手机号',
  };

  const save = async () => {
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    setSaving(true);
    try {
      if (existing) {
        await updateProfile(existing.id, { realName: realName.trim(), relation, isDefault, ...(phone ? { phone } : {}) });
      } else {
        await createProfile({
          realName: realName.trim(),
          idType,
          idNumber: idNumber.trim().toUpperCase(),
          ...(needsGenderAndBirth ? { gender, birthDate } : {}),
          phone,
          relation,
          isDefault,
        });
      }
      void Taro.showToast({ title: '已保存', icon: 'success' });
      void Taro.navigateBack();
    } catch {
      // The toast said why (ID number invalid, duplicate…).
    } finally {
      setSaving(false);
    }
  };

  if (!session) {
    return (
      <PageShell>
        <LoginRequired reason="登录后可添加就诊人" />
      </PageShell>
    );
  }

  const show = (error: string | null) => (tried ? error : null);
  const form = (
    <View>
      <View className="form">
        <Field label="真实姓名" error={show(errors.realName)}>
          <Input name="realName" maxLength={30} placeholder="与证件上的姓名一致" value={realName} onChange={setRealName} />
        </Field>
        {existing ? (
          <Field label={existing.idTypeLabel}>
            <View>{existing.idNumberMasked}（证件信息不可修改，如有误请删除后重新添加）</View>
          </Field>
        ) : (
          <>
            <Field label="证件类型">
              <RadioGroup value={idType} onChange={(value) => setIdType(value as IdType)} direction="horizontal">
                {ID_TYPES.map((t) => (
                  <Radio key={t.value} value={t.value} shape="button">
                    {t.label}
                  </Radio>
                ))}
              </RadioGroup>
            </Field>
            <Field label="证件号码" error={show(errors.idNumber)}>
              <Input name="idNumber" maxLength={32} placeholder={idType === 'resident_id' ? '18 位身份证号码' : '证件号码'} value={idNumber} onChange={setIdNumber} />
            </Field>
            {needsGenderAndBirth && (
              <>
                <Field label="性别">
                  <RadioGroup value={gender} onChange={(value) => setGender(value as 'male' | 'female')} direction="horizontal">
                    <Radio value="male" shape="button">男</Radio>
                    <Radio value="female" shape="button">女</Radio>
                  </RadioGroup>
                </Field>
                <Field label="出生日期" error={show(errors.birthDate)}>
                  <Input name="birthDate" maxLength={10} placeholder="例如 1990-01-31" value={birthDate} onChange={setBirthDate} />
                </Field>
              </>
            )}
          </>
        )}
        <Field label="手机号" error={show(errors.phone)}>
          <Input name="phone" type="tel" maxLength={11} placeholder={existing ? `${existing.phoneMasked}（不修改请留空）` : '就诊人的手机号'} value={phone} onChange={setPhone} />
        </Field>
        <Field label="与本人关系">
          <RadioGroup value={relation} onChange={(value) => setRelation(value as Relation)} direction="horizontal">
            {RELATIONS.map(([value, label]) => (
              <Radio key={value} value={value} shape="button">
                {label}
              </Radio>
            ))}
          </RadioGroup>
        </Field>
        <Field label="设为默认就诊人">
          <Switch checked={isDefault} onChange={setIsDefault} ariaLabel="设为默认就诊人" />
        </Field>
      </View>
      <View className="muted" style={{ margin: '0 16px' }}>
        证件号码仅用于实名就诊，加密保存，页面中只显示部分号码。
      </View>
      <View className="actions">
        <Button type="primary" block disabled={saving} onClick={() => void save()}>
          保存
        </Button>
      </View>
    </View>
  );

  return <PageShell>{id ? <AsyncView state={state} onRetry={() => void reload()}>{() => form}</AsyncView> : form}</PageShell>;
}
