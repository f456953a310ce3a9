/** What the console's 排班管理 reads before acting on a session: the 停诊 preview and the doctors eligible for 替诊. */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idParams } from '../schemas.js';
import { eligibleSubstitutes } from './substitution.js';
import { suspensionPreview, suspensionPreviewSchema } from './suspension-preview.js';

export const sessionAdminRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/sessions/{id}/appointments',
    tag: 'schedule',
    summary: '停诊预览：停诊将取消的预约（待支付、待就诊；已支付的将退款；患者信息已脱敏）',
    auth: ['admin'],
    params: idParams,
    response: suspensionPreviewSchema,
    errors: ['SESSION_NOT_FOUND'],
    handler: ({ deps, params }) => suspensionPreview(deps.db, params.id),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/sessions/{id}/substitutes',
    tag: 'schedule',
    summary: '可替诊的医生（同科室、在职、职称不低于原医生、该日该时段无出诊），职称高的在前',
    auth: ['admin'],
    params: idParams,
    response: z.object({
      items: z.array(z.object({ id: z.number().int(), name: z.string(), title: z.enum(['resident', 'attending', 'associate_chief', 'chief']) })),
    }),
    errors: ['SESSION_NOT_FOUND'],
    handler: async ({ deps, params }) => ({ items: await eligibleSubstitutes(deps.db, params.id) }),
  }),
];
