/** /api/v1/admin/audit-log and /api/v1/admin/appointments: what admins read, and the admin's cancellation of an appointment. */
import * as z from 'zod';
import { AppError } from '../errors.js';
import { defineRoute, TextStream } from '../http/route.js';
import { idParams } from '../schemas.js';
import { shanghaiDate } from '../time/shanghai.js';
import {
  adminAppointmentDetailSchema,
  adminCancelAppointment,
  adminAppointmentPageSchema,
  appointmentDetail,
  appointmentFilterSchema,
  appointmentListQuerySchema,
  exportAppointments,
  listAppointments,
} from './appointments.js';
import { auditLogQuerySchema, auditPageSchema, listAuditLog } from './audit-log.js';

export const adminRecordRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/audit-log',
    tag: 'admin',
    summary: '审计日志（按操作人、操作、对象、日期筛选，新的在前，分页；个人信息已脱敏）',
    auth: ['admin'],
    query: auditLogQuerySchema,
    response: auditPageSchema,
    handler: ({ query, deps }) => listAuditLog(deps.db, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/appointments',
    tag: 'admin',
    summary: '预约列表（按就诊日期、科室、医生、状态、订单号、手机号筛选，分页；患者信息已脱敏）',
    auth: ['admin'],
    query: appointmentListQuerySchema,
    response: adminAppointmentPageSchema,
    handler: ({ query, deps }) => listAppointments(deps.db, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/appointments/{id}',
    tag: 'admin',
    summary: '预约详情及其全部经过（审计记录、支付与退款、消息）',
    auth: ['admin'],
    params: idParams,
    response: adminAppointmentDetailSchema,
    errors: ['APPOINTMENT_NOT_FOUND'],
    handler: async ({ params, deps }) => {
      const detail = await appointmentDetail(deps.db, params.id);
      if (!detail) throw new AppError('APPOINTMENT_NOT_FOUND');
      return detail;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/appointments/{id}/cancel',
    tag: 'admin',
    summary: '管理员取消预约（须填写原因；已支付的原路退款，并通知患者）',
    auth: ['admin'],
    params: idParams,
    body: z.strictObject({ reason: z.string().trim().min(1).max(200).meta({ description: '取消原因，将通知患者' }) }),
    response: adminAppointmentDetailSchema,
    errors: ['APPOINTMENT_NOT_FOUND', 'NOT_CANCELLABLE'],
    handler: ({ params, body, deps, principal, meta }) => adminCancelAppointment(deps, principal, params.id, body.reason, meta),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/export/appointments.csv',
    tag: 'admin',
    summary: '导出预约 CSV（筛选条件同预约列表；UTF-8 带 BOM，逐批读取，不整表载入内存）',
    auth: ['admin'],
    query: appointmentFilterSchema,
    response: z.instanceof(TextStream),
    contentType: 'text/csv; charset=utf-8',
    handler: async ({ query, deps, principal, meta }) => {
      const filename = `预约导出-${shanghaiDate(deps.clock.now())}.csv`;
      return new TextStream(await exportAppointments(deps, principal, query, meta), {
        'Content-Disposition': `attachment; filename="appointments.csv"; filename*=UTF-8''${encodeURIComponent(filename)}`,
        'Cache-Control': 'no-store',
      });
    },
  }),
];
