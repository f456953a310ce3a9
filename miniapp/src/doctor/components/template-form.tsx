import { View } from '@tarojs/components';
import { useState } from 'react';
import { Field } from '../../components/field';
import { Button, Input, Radio, RadioGroup, Switch } from '../../components/nutui';
import { hhmm } from '../../utils/time';
import type { ScheduleTemplate, TemplateInput } from '../services/schedule';

export const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

interface Draft {
  weekday: number;
  startTime: string;
  endTime: string;
  slotMinutes: string;
  capacityPerSlot: string;
  fee: string;
  active: boolean;
}

function draftOf(template?: ScheduleTemplate): Draft {
  if (!template) return { weekday: 1, startTime: '08:00', endTime: '11:30', slotMinutes: '30', capacityPerSlot: '3', fee: '', active: true };
  return {
    weekday: template.weekday,
    startTime: hhmm(template.startTime),
    endTime: hhmm(template.endTime),
    slotMinutes: String(template.slotMinutes),
    capacityPerSlot: String(template.capacityPerSlot),
    fee: (template.feeFen / 100).toFixed(2),
    active: template.active,
  };
}

/** What is wrong with the draft, field by field (the server checks the same and more). */
function problems(d: Draft): Partial<Record<keyof Draft, string>> {
  const out: Partial<Record<keyof Draft, string>> = {};
  if (!TIME.test(d.startTime)) out.startTime = '时间格式为 HH:MM，如 08:00';
  if (!TIME.test(d.endTime)) out.endTime = '时间格式为 HH:MM，如 11:30';
  else if (TIME.test(d.startTime) && d.endTime <= d.startTime) out.endTime = '结束时间须晚于开始时间';
  const minutes = Number(d.slotMinutes);
  if (!/^\d+$/.test(d.slotMinutes) || minutes < 5 || minutes > 240) out.slotMinutes = '每段 5–240 分钟';
  const capacity = Number(d.capacityPerSlot);
  if (!/^\d+$/.test(d.capacityPerSlot) || capacity < 1 || capacity > 200) out.capacityPerSlot = '每段 1–200 个号';
  if (!/^\d{1,4}(\.\d{1,2})?$/.test(d.fee)) out.fee = '请输入金额，如 30 或 30.50';
  return out;
}

interface Props {
  template?: ScheduleTemplate;
  saving: boolean;
  onSave: (input: TemplateInput) => void;
  onCancel: () => void;
}

/** Adds or edits one weekly template: weekday, hours, slot length, places per slot, fee, on/off. */
export function TemplateForm({ template, saving, onSave, onCancel }: Props) {
  const [draft, setDraft] = useState(() => draftOf(template));
  const [tried, setTried] = useState(false);
  const errors = tried ? problems(draft) : {};

  const submit = () => {
    setTried(true);
    if (Object.keys(problems(draft)).length > 0) return;
    onSave({
      weekday: draft.weekday,
      startTime: draft.startTime,
      endTime: draft.endTime,
      slotMinutes: Number(draft.slotMinutes),
      capacityPerSlot: Number(draft.capacityPerSlot),
      feeFen: Math.round(Number(draft.fee) * 100),
      active: draft.active,
    });
  };

  return (
    <View className="section template-form">
      <View className="section-title">{template ? '修改出诊模板' : '新增出诊模板'}</View>
      <Field label="星期">
        <RadioGroup value={String(draft.weekday)} onChange={(v) => setDraft({ ...draft, weekday: Number(v) })} direction="horizontal">
          {WEEKDAY_NAMES.slice(1).map((name, i) => (
            <Radio key={name} value={String(i + 1)} shape="button">
              {name}
            </Radio>
          ))}
        </RadioGroup>
      </Field>
      <Field label="开始时间" error={errors.startTime}>
        <Input name="start-time" placeholder="如 08:00" maxLength={5} value={draft.startTime} onChange={(startTime) => setDraft({ ...draft, startTime })} />
      </Field>
      <Field label="结束时间" error={errors.endTime}>
        <Input name="end-time" placeholder="如 11:30" maxLength={5} value={draft.endTime} onChange={(endTime) => setDraft({ ...draft, endTime })} />
      </Field>
      <Field label="每段时长（分钟）" error={errors.slotMinutes}>
        <Input name="slot-minutes" type="number" placeholder="5–240" value={draft.slotMinutes} onChange={(slotMinutes) => setDraft({ ...draft, slotMinutes })} />
      </Field>
      <Field label="每段号源数" error={errors.capacityPerSlot}>
        <Input name="capacity-per-slot" type="number" placeholder="1–200" value={draft.capacityPerSlot} onChange={(capacityPerSlot) => setDraft({ ...draft, capacityPerSlot })} />
      </Field>
      <Field label="挂号费（元）" error={errors.fee}>
        <Input name="fee" type="digit" placeholder="如 30.00" value={draft.fee} onChange={(fee) => setDraft({ ...draft, fee })} />
      </Field>
      <View className="row template-active">
        <View>启用</View>
        <Switch checked={draft.active} onChange={(active) => setDraft({ ...draft, active })} ariaLabel="启用模板" />
      </View>
      <View className="row template-actions">
        <Button size="small" disabled={saving} onClick={onCancel}>
          取消
        </Button>
        <Button size="small" type="primary" disabled={saving} onClick={submit}>
          保存模板
        </Button>
      </View>
    </View>
  );
}
