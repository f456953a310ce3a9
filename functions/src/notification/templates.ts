/**
 * Every message the hospital sends a patient, in one place: its inbox title, its text (the
 * in-app body; the SMS is the same text behind the hospital's signature), and its WeChat
 * subscription-message fields (wechat-fields.ts fits them to WeChat's limits). The text is
 * rendered when the message is enqueued, so the inbox shows what was true at its cause.
 *
 * Times in parameters are Shanghai wall-clock strings made with time/shanghai.ts
 * (`YYYY-MM-DD HH:MM`), never Date objects: a template never depends on the server's TZ.
 */
import type { Appointment } from '../db/schema.js';
import { wechatData, type WechatData } from './wechat-fields.js';

export const SMS_SIGNATURE = '【南阳市第二人民医院】';

/** The appointment a message is about. */
export interface VisitParams {
  orderNo: string;
  patientName: string;
  departmentName: string;
  doctorName: string;
  /** Shanghai `YYYY-MM-DD HH:MM`. */
  visitTime: string;
}

export type CancelledBy = 'patient' | 'doctor' | 'admin' | 'system';
const CANCELLED_BY: Record<CancelledBy, string> = { patient: '您本人', doctor: '医生', admin: '医院', system: '系统' };

interface TemplateDef<P> {
  /** Inbox title. */
  title: string;
  text(p: P): string;
  /** WeChat field name (thing1, time2…) → value; fitted to WeChat's limits when sent. */
  wechat(p: P): Record<string, string>;
  /**
   * The appointment statuses in which the message still means something. Once its appointment
   * has left them (a payment reminder after the patient paid or cancelled) the delivery job
   * skips the message instead of sending it (delivery.ts). Undefined: always sent.
   */
  onlyWhile?: readonly Appointment['status'][];
}

const define = <P>(def: TemplateDef<P>): TemplateDef<P> => def;
const visit = (p: VisitParams) => `${p.departmentName}${p.doctorName}医生 ${p.visitTime} 的门诊（就诊人 ${p.patientName}，订单号 ${p.orderNo}）`;
const visitFields = (p: VisitParams) => ({
  character_string1: p.orderNo,
  thing2: `${p.departmentName} ${p.doctorName}`,
  time3: p.visitTime,
  name4: p.patientName,
});
const yuan = (fen: number) => (fen / 100).toFixed(2);

export const templates = {
  booking_confirmed: define<VisitParams>({
    title: '预约成功',
    text: (p) => `您已成功预约${visit(p)}，请按时就诊。`,
    wechat: (p) => ({ ...visitFields(p), phrase5: '预约成功' }),
  }),
  payment_due: define<VisitParams & { payBy: string }>({
    title: '待支付提醒',
    text: (p) => `您预约的${visit(p)}尚未支付，请于 ${p.payBy} 前完成支付，逾期预约将自动取消。`,
    // The time only (HH:MM): with the date the field would pass WeChat's 20 characters.
    wechat: (p) => ({ ...visitFields(p), phrase5: '待支付', thing6: `请于${p.payBy.slice(-5)}前完成支付` }),
    onlyWhile: ['pending_payment'],
  }),
  hold_expired: define<VisitParams>({
    title: '预约已超时取消',
    text: (p) => `您预约的${visit(p)}未在规定时间内支付，预约已自动取消，号源已释放。`,
    wechat: (p) => ({ ...visitFields(p), phrase5: '已取消', thing6: '未按时支付，预约已自动取消' }),
  }),
  appointment_cancelled: define<VisitParams & { by: CancelledBy; reason: string }>({
    title: '预约已取消',
    text: (p) => `您预约的${visit(p)}已由${CANCELLED_BY[p.by]}取消${p.reason ? `，原因：${p.reason}` : ''}。如已支付，挂号费将原路退回。`,
    wechat: (p) => ({ ...visitFields(p), phrase5: '已取消', thing6: p.reason || `由${CANCELLED_BY[p.by]}取消` }),
  }),
  refund_made: define<{ orderNo: string; amountFen: number }>({
    title: '退款已到账',
    text: (p) => `订单 ${p.orderNo} 的挂号费 ${yuan(p.amountFen)} 元已原路退回，请注意查收。`,
    wechat: (p) => ({ character_string1: p.orderNo, amount2: `${yuan(p.amountFen)}元`, phrase3: '已退款' }),
  }),
  session_suspended: define<VisitParams & { reason: string; paid: boolean }>({
    title: '停诊通知',
    text: (p) => `您预约的${visit(p)}因故停诊${p.reason ? `（${p.reason}）` : ''}，预约已取消${p.paid ? '，挂号费将原路退回' : ''}。给您带来不便，敬请谅解。`,
    wechat: (p) => ({ ...visitFields(p), phrase5: '停诊', thing6: p.reason || '医生停诊，预约已取消' }),
  }),
  doctor_substituted: define<VisitParams & { newDoctorName: string }>({
    title: '替诊通知',
    text: (p) => `您预约的${visit(p)}改由${p.newDoctorName}医生接诊。如不接受，可在“我的预约”中免费取消。`,
    wechat: (p) => ({ ...visitFields(p), phrase5: '已替诊', thing6: `改由${p.newDoctorName}医生接诊` }),
  }),
  waitlist_offer: define<VisitParams & { payBy: string }>({
    title: '候补成功',
    text: (p) => `您候补的${visit(p)}已有号源，已为您保留，请于 ${p.payBy} 前完成支付，逾期将顺延给下一位候补者。`,
    wechat: (p) => ({ ...visitFields(p), phrase5: '候补成功', thing6: `请于${p.payBy}前支付` }),
  }),
  waitlist_closed: define<{ patientName: string; departmentName: string; doctorName: string; sessionLabel: string }>({
    title: '候补未成功',
    text: (p) => `您为${p.patientName}候补的${p.departmentName}${p.doctorName}医生 ${p.sessionLabel} 门诊，截至候补结束仍无号源，候补已关闭。`,
    wechat: (p) => ({ thing1: `${p.departmentName} ${p.doctorName}`, thing2: p.sessionLabel, name3: p.patientName, phrase4: '候补失败' }),
  }),
  ban_applied: define<{ noShows: number; until: string }>({
    title: '预约受限通知',
    text: (p) => `因您近期累计爽约 ${p.noShows} 次，${p.until} 前暂停网上预约挂号。如有疑问请联系医院。`,
    wechat: (p) => ({ thing1: `累计爽约${p.noShows}次`, date2: p.until, phrase3: '暂停预约' }),
  }),
  visit_reminder_day_before: define<VisitParams & { cancelBy: string }>({
    title: '明日就诊提醒',
    text: (p) => `您预约了明天${visit(p)}。如不能前来，请于 ${p.cancelBy} 前在“我的预约”中取消。`,
    wechat: (p) => ({ ...visitFields(p), thing6: `不能就诊请于${p.cancelBy}前取消` }),
  }),
  visit_reminder_soon: define<VisitParams>({
    title: '就诊提醒',
    text: (p) => `您预约的${visit(p)}即将开始，请提前到${p.departmentName}分诊台签到。`,
    wechat: (p) => ({ ...visitFields(p), thing6: `请提前到${p.departmentName}签到` }),
  }),
} as const;

export type TemplateName = keyof typeof templates;

/** See TemplateDef.onlyWhile. */
export function onlyWhileStatuses(name: string): readonly Appointment['status'][] | undefined {
  return isTemplateName(name) ? (templates[name] as TemplateDef<unknown>).onlyWhile : undefined;
}
export type TemplateParams<K extends TemplateName> = Parameters<(typeof templates)[K]['text']>[0];
export const templateNames = Object.keys(templates) as TemplateName[];

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(templates, name);
}

export interface RenderedMessage {
  title: string;
  /** In-app body. */
  text: string;
  sms: string;
  wechat: WechatData;
}

/** Renders `template` with `params`; throws WechatFieldError when a template maps a field wrongly. */
export function renderTemplate<K extends TemplateName>(template: K, params: TemplateParams<K>): RenderedMessage {
  const def = templates[template] as TemplateDef<TemplateParams<K>>;
  const text = def.text(params);
  return { title: def.title, text, sms: `${SMS_SIGNATURE}${text}`, wechat: wechatData(def.wechat(params)) };
}
