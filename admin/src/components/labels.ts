/** Chinese labels of the API's enums, and money in 分 shown as 元. */
import { periodLabels } from '../../../miniapp/src/services/api-types.gen';

export const TITLE_LABEL = { chief: '主任医师', associate_chief: '副主任医师', attending: '主治医师', resident: '住院医师' } as const;
export const ROLE_LABEL = { patient: '患者', doctor: '医生', admin: '管理员' } as const;
/** The server's label of each clinic period, generated with the API types. */
export const PERIOD_LABEL = periodLabels;
export const WEEKDAY_LABEL = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

export const APPOINTMENT_STATUS_LABEL = {
  pending_payment: '待支付',
  booked: '已预约',
  checked_in: '已签到',
  completed: '已就诊',
  cancelled: '已取消',
  expired: '已失效',
  no_show: '爽约',
  called: '叫号中',
  in_visit: '就诊中',
  passed: '过号',
} as const;
export const APPOINTMENT_STATUS_COLOR = {
  pending_payment: 'gold',
  booked: 'blue',
  checked_in: 'cyan',
  completed: 'green',
  cancelled: 'default',
  expired: 'default',
  no_show: 'red',
  called: 'purple',
  in_visit: 'geekblue',
  passed: 'orange',
} as const;
export const CANCELLED_BY_LABEL = { patient: '患者', doctor: '医生', admin: '管理员', system: '系统' } as const;
export const ACTOR_ROLE_LABEL = { ...ROLE_LABEL, system: '系统', anonymous: '匿名' } as const;

/** Audit action codes in Chinese; an unknown code (a newer server) is shown raw. */
export const ACTION_LABEL: Record<string, string> = {
  'auth.login': '登录',
  'auth.logout': '退出登录',
  'auth.register': '注册',
  'auth.refresh': '刷新登录',
  'auth.refresh_reuse': '登录凭证被重复使用',
  'auth.sms_code': '发送验证码',
  'auth.password_change': '修改密码',
  'auth.password_reset': '重置密码',
  'user.create': '创建账号',
  'user.status': '启用/停用账号',
  'department.create': '新增科室',
  'department.update': '修改科室',
  'department.reorder': '调整科室顺序',
  'doctor.create': '新增医生',
  'doctor.update': '修改医生',
  'template.create': '新增排班模板',
  'template.update': '修改排班模板',
  'template.delete': '删除排班模板',
  'schedule.generate': '生成排班',
  'session.generate': '按模板生成出诊',
  'session.create': '新增出诊',
  'session.update': '修改出诊',
  'session.suspend': '停诊',
  'slot.add': '加号',
  'slot.capacity': '调整号源',
  'booking_rule.update': '修改预约规则',
  'booking_rule.delete': '删除科室规则',
  'appointment.book': '预约挂号',
  'appointment.pay': '支付挂号费',
  'appointment.cancel': '取消预约',
  'appointment.export': '导出预约 CSV',
  'appointment.expire': '超时未支付失效',
  'payment.refund': '发起退款',
  'payment.refund_confirm': '退款到账',
  'profile.create': '新增就诊人',
  'profile.update': '修改就诊人',
  'profile.delete': '删除就诊人',
  'health_record.update': '修改健康档案',
  'session.substitute': '替诊',
  'notification.retry': '重新发送消息',
  'booking_ban.apply': '爽约暂停预约',
  'booking_ban.lift': '解除预约限制',
  'patient_profile.view': '查看患者就诊人',
  'user.password_reset': '重置账号密码',
  'suspension_request.create': '申请停诊',
  'suspension_request.approve': '批准停诊申请',
  'suspension_request.reject': '驳回停诊申请',
  'appointment.check_in': '签到',
  'appointment.call': '叫号',
  'appointment.no_show': '爽约',
  'patient.view_by_doctor': '医生查看患者',
  'waitlist.join': '加入候补',
  'waitlist.leave': '退出候补',
  'waitlist.offer': '候补递补',
  'waitlist.close': '候补截止',
};
export const actionLabel = (code: string): string => ACTION_LABEL[code] ?? code;

export const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

export const enumOptions = <K extends string>(labels: Record<K, string>) =>
  (Object.entries(labels) as [K, string][]).map(([value, label]) => ({ value, label }));

/** A readable initial password: 10 characters with letters and digits (the server wants both), no look-alikes. */
export function initialPassword(): string {
  const letters = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
  const digits = '23456789';
  const all = letters + digits;
  const random = crypto.getRandomValues(new Uint32Array(10));
  const chars = Array.from(random, (n) => all[n % all.length]!);
  chars[0] = letters[random[0]! % letters.length]!;
  chars[9] = digits[random[9]! % digits.length]!;
  return chars.join('');
}
