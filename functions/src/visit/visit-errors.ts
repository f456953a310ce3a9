/** The 409 of a visit step tried from the wrong status: one stable code, a Chinese message saying why. */
import type { AppointmentStatus } from '../booking/appointment-view.js';
import { AppError } from '../errors.js';

const WHY: Record<AppointmentStatus, string> = {
  pending_payment: '该预约尚未支付',
  booked: '患者尚未签到',
  checked_in: '患者已签到，正在候诊',
  called: '患者正在被叫号',
  in_visit: '患者正在就诊',
  passed: '患者已过号',
  completed: '本次就诊已完成',
  cancelled: '该预约已取消',
  expired: '该预约已失效',
  no_show: '该预约已记为爽约',
};

export function visitStateConflict(status: AppointmentStatus): AppError {
  return new AppError('VISIT_STATE_CONFLICT', `${WHY[status]}，不能进行此操作`, { status });
}
