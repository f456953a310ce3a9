import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import dayjs from 'dayjs';
import { useState } from 'react';
import { AsyncView } from '../../../components/async-view';
import { Button, Input, TabPane, Tabs } from '../../../components/nutui';
import { PageShell } from '../../../components/page-shell';
import { useAsync } from '../../../hooks/use-async';
import { useSession } from '../../../hooks/use-session';
import { formatFen, PERIOD_LABELS } from '../../../utils/format';
import { addDays, formatClinicDate, hhmm, inShanghai, shanghaiToday } from '../../../utils/time';
import { DoctorLoginRequired } from '../../components/doctor-login-required';
import { SessionCard } from '../../components/session-card';
import { TemplateForm, WEEKDAY_NAMES } from '../../components/template-form';
import {
  addMySlot,
  deleteMyTemplate,
  fetchMyRequests,
  fetchMySessions,
  fetchMyTemplates,
  requestSuspension,
  saveMyTemplate,
  setSessionFee,
  setSlotCapacity,
  type ScheduleSession,
  type ScheduleSlot,
  type ScheduleTemplate,
  type SuspensionRequest,
  type TemplateInput,
} from '../../services/schedule';

/** The Monday of the week holding `date` (YYYY-MM-DD). */
function mondayOf(date: string): string {
  return addDays(date, -((dayjs.utc(date).day() + 6) % 7));
}

/** "11月23日–11月29日" */
function weekLabel(monday: string): string {
  const end = addDays(monday, 6);
  const md = (d: string) => `${dayjs.utc(d).month() + 1}月${dayjs.utc(d).date()}日`;
  return `${md(monday)}–${md(end)}`;
}

type Editing =
  | { kind: 'capacity'; slotId: number; value: string }
  | { kind: 'fee'; sessionId: number; value: string }
  | { kind: 'slot'; sessionId: number; startTime: string; endTime: string; value: string }
  | { kind: 'suspend'; sessionId: number; value: string }
  | null;

const REQUEST_STATES = { pending: '审核中', approved: '已批准', rejected: '已驳回' } as const;

/** "停诊申请已驳回（张管理员 12月1日 10:00）：无人可替" — the state of a request, who decided it, when, and why not. */
function requestLine(r: SuspensionRequest): string {
  const decided = r.decidedAt ? `（${r.decidedBy ?? '管理员'} ${inShanghai(r.decidedAt).format('M月D日 HH:mm')}）` : '';
  const why = r.status === 'rejected' && r.rejectReason ? `：${r.rejectReason}` : r.status === 'pending' ? `：${r.reason}` : '';
  return `停诊申请${REQUEST_STATES[r.status]}${decided}${why}`;
}

/** "HH:mm" plus minutes, within the day. */
function plusMinutes(time: string, minutes: number): string {
  const [h, m] = time.split(':').map(Number);
  const total = Math.min((h ?? 0) * 60 + (m ?? 0) + minutes, 23 * 60 + 59);
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * 我的排班: a week of the doctor's sessions with booked / capacity per slot. Capacity can change
 * on any session not yet over (never below what is booked: the server refuses and says why);
 * the fee only before the session's places are released, so patients never see it move.
 */
export default function Schedule() {
  const session = useSession();
  const [tab, setTab] = useState<'weeks' | 'templates' | 'requests'>('weeks');
  const [monday, setMonday] = useState(() => mondayOf(shanghaiToday()));
  const [editing, setEditing] = useState<Editing>(null);
  const [saving, setSaving] = useState(false);
  const [templateForm, setTemplateForm] = useState<ScheduleTemplate | 'new' | null>(null);
  const today = shanghaiToday();
  const week = useAsync(() => (session ? fetchMySessions(monday, addDays(monday, 6)) : Promise.resolve([])), [session?.account.id, monday], { reloadOnShow: true });
  // Every request of the doctor: the latest one of a session is shown on its card, all of them on the 停诊申请 tab.
  const requests = useAsync(() => (session ? fetchMyRequests() : Promise.resolve([])), [session?.account.id, tab], { reloadOnShow: true });
  const latestRequest = (sessionId: number): SuspensionRequest | undefined =>
    requests.state.status === 'ready' ? requests.state.data.find((r) => r.sessionId === sessionId) : undefined;
  const templates = useAsync(() => (session && tab === 'templates' ? fetchMyTemplates() : Promise.resolve([])), [session?.account.id, tab]);

  /** Saves the open editor; on success the server's updated session replaces the old one in place. */
  const save = async () => {
    if (!editing) return;
    const text = editing.value.trim();
    let updated: ScheduleSession;
    setSaving(true);
    try {
      if (editing.kind === 'suspend') {
        if (text.length === 0) return void Taro.showToast({ title: '请填写停诊原因', icon: 'none' });
        const { confirm } = await Taro.showModal({ title: '申请停诊', content: '提交后由医务科审核；批准后该场预约将全部取消并退款，患者会收到通知。', confirmText: '提交', cancelText: '再想想' });
        if (!confirm) return;
        const made = await requestSuspension(editing.sessionId, text);
        requests.setState((state) => (state.status === 'ready' ? { status: 'ready', data: [made, ...state.data] } : state));
        setEditing(null);
        void Taro.showToast({ title: '已提交，等待审核', icon: 'none' });
        return;
      }
      if (editing.kind === 'slot') {
        if (!/^\d{2}:\d{2}$/.test(editing.startTime) || !/^\d{2}:\d{2}$/.test(editing.endTime)) return void Taro.showToast({ title: '请输入时间，如 11:30', icon: 'none' });
        if (!/^\d{1,3}$/.test(text) || Number(text) < 1) return void Taro.showToast({ title: '请输入加号数（整数）', icon: 'none' });
        updated = await addMySlot(editing.sessionId, { startTime: editing.startTime, endTime: editing.endTime, capacity: Number(text) });
      } else if (editing.kind === 'capacity') {
        if (!/^\d{1,3}$/.test(text)) return void Taro.showToast({ title: '请输入号源数（整数）', icon: 'none' });
        updated = await setSlotCapacity(editing.slotId, Number(text));
      } else {
        if (!/^\d{1,4}(\.\d{1,2})?$/.test(text)) return void Taro.showToast({ title: '请输入金额，如 30 或 30.50', icon: 'none' });
        updated = await setSessionFee(editing.sessionId, Math.round(Number(text) * 100));
      }
      week.setState((state) => (state.status === 'ready' ? { status: 'ready', data: state.data.map((s) => (s.id === updated.id ? updated : s)) } : state));
      setEditing(null);
      void Taro.showToast({ title: editing.kind === 'slot' ? '已加号' : '已保存', icon: 'success' });
    } catch {
      // The toast said why (below the booked count, above the slot's range, a slot already there…); the editor stays open.
    } finally {
      setSaving(false);
    }
  };

  /** The server answers the whole list after a change: it replaces the one shown. */
  const saveTemplate = async (input: TemplateInput) => {
    setSaving(true);
    try {
      const items = await saveMyTemplate(input, templateForm === 'new' || templateForm === null ? undefined : templateForm.id);
      templates.setState({ status: 'ready', data: items });
      setTemplateForm(null);
      void Taro.showToast({ title: '模板已保存', icon: 'success' });
    } catch {
      // The toast said why (overlapping another template, bad hours…); the form stays open.
    } finally {
      setSaving(false);
    }
  };

  const removeTemplate = async (t: ScheduleTemplate) => {
    const { confirm } = await Taro.showModal({
      title: '删除出诊模板',
      content: `删除“每${WEEKDAY_NAMES[t.weekday]} ${PERIOD_LABELS[t.period]}”？已生成的排班不受影响。`,
      confirmText: '删除',
      cancelText: '取消',
    });
    if (!confirm) return;
    try {
      templates.setState({ status: 'ready', data: await deleteMyTemplate(t.id) });
      void Taro.showToast({ title: '已删除', icon: 'success' });
    } catch {
      // The toast said why.
    }
  };

  const editor = (label: string) =>
    editing && (
      <View className="editor">
        <View className="editor-label">{label}</View>
        <Input className="editor-input" name="edit-value" type="digit" value={editing.value} onChange={(value) => setEditing({ ...editing, value })} />
        <Button size="small" type="primary" disabled={saving} onClick={() => void save()}>
          保存
        </Button>
        <Button size="small" disabled={saving} onClick={() => setEditing(null)}>
          取消
        </Button>
      </View>
    );

  const slotExtra = (s: ScheduleSession) => (slot: ScheduleSlot) => {
    if (editing?.kind === 'capacity' && editing.slotId === slot.id) return editor('号源数');
    if (s.status !== 'open' || s.date < today) return null;
    return (
      <View className="link" onClick={() => setEditing({ kind: 'capacity', slotId: slot.id, value: String(slot.capacity) })}>
        调整号源
      </View>
    );
  };

  /** 加号 editor: a new slot (by default right after the session's last one) and its number of places. */
  const slotAdder = (e: Extract<Editing, { kind: 'slot' }>) => (
    <View className="editor slot-adder">
      <View className="editor-label">加号时段</View>
      <Input className="editor-input" name="slot-start" value={e.startTime} onChange={(startTime) => setEditing({ ...e, startTime })} />
      <View>–</View>
      <Input className="editor-input" name="slot-end" value={e.endTime} onChange={(endTime) => setEditing({ ...e, endTime })} />
      <Input className="editor-input" name="slot-capacity" type="digit" value={e.value} onChange={(value) => setEditing({ ...e, value })} />
      <View>个</View>
      <Button size="small" type="primary" disabled={saving} onClick={() => void save()}>
        保存
      </Button>
      <Button size="small" disabled={saving} onClick={() => setEditing(null)}>
        取消
      </Button>
    </View>
  );

  const openSlotAdder = (s: ScheduleSession) => {
    const last = s.slots.reduce((end, slot) => (hhmm(slot.endTime) > end ? hhmm(slot.endTime) : end), hhmm(s.endTime));
    setEditing({ kind: 'slot', sessionId: s.id, startTime: last, endTime: plusMinutes(last, 30), value: '1' });
  };

  /** The session's latest 停诊 request, and the link to ask for one when none is pending. */
  const requestPart = (s: ScheduleSession) => {
    if (editing?.kind === 'suspend' && editing.sessionId === s.id) {
      return (
        <View className="editor suspend-form">
          <View className="editor-label">停诊原因</View>
          <Input className="editor-input" name="suspend-reason" placeholder="如：外出会诊" value={editing.value} onChange={(value) => setEditing({ ...editing, value })} />
          <Button size="small" type="primary" disabled={saving} onClick={() => void save()}>
            提交
          </Button>
          <Button size="small" disabled={saving} onClick={() => setEditing(null)}>
            取消
          </Button>
        </View>
      );
    }
    const request = latestRequest(s.id);
    const canAsk = s.status === 'open' && s.date > today && request?.status !== 'pending';
    return (
      <>
        {request && <View className={`request-state ${request.status === 'rejected' ? 'danger' : 'muted'}`}>{requestLine(request)}</View>}
        {canAsk && (
          <View className="link" onClick={() => setEditing({ kind: 'suspend', sessionId: s.id, value: '' })}>
            申请停诊
          </View>
        )}
      </>
    );
  };

  const sessionActions = (s: ScheduleSession) => (
    <>
      {feeAndSlotActions(s)}
      {requestPart(s)}
    </>
  );

  const feeAndSlotActions = (s: ScheduleSession) => {
    if (editing?.kind === 'fee' && editing.sessionId === s.id) return editor('挂号费（元）');
    if (editing?.kind === 'slot' && editing.sessionId === s.id) return slotAdder(editing);
    const released = !inShanghai(s.releaseAt).isAfter(inShanghai());
    if (s.status !== 'open' || s.date < today) return null;
    const addSlotLink = (
      <View className="link" onClick={() => openSlotAdder(s)}>
        加号
      </View>
    );
    if (released) {
      return (
        <View className="row">
          <View className="muted">已放号（{inShanghai(s.releaseAt).format('M月D日 HH:mm')}），挂号费不可再改</View>
          {addSlotLink}
        </View>
      );
    }
    return (
      <View className="row">
        <View className="muted">{inShanghai(s.releaseAt).format('M月D日 HH:mm')} 放号</View>
        <View className="link" onClick={() => setEditing({ kind: 'fee', sessionId: s.id, value: (s.feeFen / 100).toFixed(2) })}>
          修改挂号费
        </View>
        {addSlotLink}
      </View>
    );
  };

  if (!session) {
    return (
      <PageShell>
        <DoctorLoginRequired />
      </PageShell>
    );
  }

  return (
    <PageShell>
      <Tabs value={tab} onChange={(value) => { setEditing(null); setTab(value as 'weeks' | 'templates' | 'requests'); }} activeType="line">
        <TabPane value="weeks" title="按周查看" />
        <TabPane value="templates" title="出诊模板" />
        <TabPane value="requests" title="停诊申请" />
      </Tabs>
      {tab === 'requests' ? (
        <AsyncView state={requests.state} onRetry={() => void requests.reload()} isEmpty={(items) => items.length === 0} emptyText="还没有停诊申请">
          {(items) => (
            <View className="section">
              {items.map((r) => (
                <View key={r.id} className="request-row" data-request={r.id}>
                  <View className="row">
                    <View className="strong">
                      {formatClinicDate(r.date)} {PERIOD_LABELS[r.period]}
                    </View>
                    <View className={`tag${r.status === 'rejected' ? ' tag-danger' : ''}`}>{REQUEST_STATES[r.status]}</View>
                  </View>
                  <View className="muted">申请原因：{r.reason}（{inShanghai(r.createdAt).format('M月D日 HH:mm')} 提交）</View>
                  {r.decidedAt && (
                    <View className="muted">
                      {r.decidedBy ?? '管理员'} 于 {inShanghai(r.decidedAt).format('M月D日 HH:mm')} {r.status === 'approved' ? '批准，该场已停诊' : '驳回'}
                    </View>
                  )}
                  {r.status === 'rejected' && r.rejectReason && <View className="danger">驳回原因：{r.rejectReason}</View>}
                </View>
              ))}
            </View>
          )}
        </AsyncView>
      ) : tab === 'weeks' ? (
        <>
          <View className="week-nav">
            <Button size="small" onClick={() => { setEditing(null); setMonday(addDays(monday, -7)); }}>
              ‹ 上一周
            </Button>
            <View className="week-label" onClick={() => setMonday(mondayOf(today))}>
              {weekLabel(monday)}
              {monday === mondayOf(today) ? '（本周）' : ''}
            </View>
            <Button size="small" onClick={() => { setEditing(null); setMonday(addDays(monday, 7)); }}>
              下一周 ›
            </Button>
          </View>
          <AsyncView state={week.state} onRetry={() => void week.reload()} isEmpty={(items) => items.length === 0} emptyText="本周没有出诊安排">
            {(items) => (
              <>
                {items.map((s) => (
                  <SessionCard key={s.id} session={s} slotExtra={slotExtra(s)}>
                    {sessionActions(s)}
                  </SessionCard>
                ))}
                <View className="muted doctor-hint">加号即新增一个时段，号源立即可约。停诊请点“申请停诊”，由医务科审核。</View>
              </>
            )}
          </AsyncView>
        </>
      ) : (
        <AsyncView state={templates.state} onRetry={() => void templates.reload()}>
          {(items) => (
            <>
              {templateForm !== null ? (
                <TemplateForm
                  key={templateForm === 'new' ? 'new' : templateForm.id}
                  template={templateForm === 'new' ? undefined : templateForm}
                  saving={saving}
                  onSave={(input) => void saveTemplate(input)}
                  onCancel={() => setTemplateForm(null)}
                />
              ) : (
                <View className="actions">
                  <Button type="primary" block onClick={() => setTemplateForm('new')}>
                    新增出诊模板
                  </Button>
                </View>
              )}
              {items.length === 0 ? (
                <View className="muted doctor-hint">还没有出诊模板：新增后，系统每日按模板生成后续排班。</View>
              ) : (
                <View className="section">
                  <View className="section-title">每周出诊模板</View>
                  {items.map((t) => (
                    <View key={t.id} className={`template-row${t.active ? '' : ' inactive'}`}>
                      <View className="row">
                        <View className="strong">
                          每{WEEKDAY_NAMES[t.weekday]} {PERIOD_LABELS[t.period]}
                        </View>
                        <View className={t.active ? 'success' : 'muted'}>{t.active ? '启用' : '停用'}</View>
                      </View>
                      <View className="muted">
                        {hhmm(t.startTime)}–{hhmm(t.endTime)} · 每 {t.slotMinutes} 分钟 {t.capacityPerSlot} 个号 · {formatFen(t.feeFen)}
                      </View>
                      <View className="template-links">
                        <View className="link" onClick={() => setTemplateForm(t)}>
                          修改
                        </View>
                        <View className="link danger" onClick={() => void removeTemplate(t)}>
                          删除
                        </View>
                      </View>
                    </View>
                  ))}
                  <View className="muted doctor-hint">模板的修改用于此后生成的排班；已生成的排班不变。</View>
                </View>
              )}
            </>
          )}
        </AsyncView>
      )}
    </PageShell>
  );
}
