/**
 * Domain errors: stable string codes, each with its HTTP status and the Chinese message a user
 * sees. The domain throws `AppError(code)`; the HTTP layer maps it in one place
 * (http/respond.ts). Clients branch on `code`, never on the message.
 */

export const errorCatalog = {
  // 400 / 413 / 415 — malformed requests
  VALIDATION_FAILED: [400, '请求参数有误'],
  INVALID_JSON: [400, '请求内容不是有效的 JSON'],
  PAYLOAD_TOO_LARGE: [413, '请求内容过大'],
  UNSUPPORTED_MEDIA_TYPE: [415, '请求内容须为 application/json'],
  // 401 — who are you
  UNAUTHENTICATED: [401, '请先登录'],
  TOKEN_EXPIRED: [401, '登录已过期，请重新登录'],
  TOKEN_INVALID: [401, '登录凭证无效，请重新登录'],
  INVALID_CREDENTIALS: [401, '手机号或密码错误'],
  REFRESH_TOKEN_INVALID: [401, '登录已失效，请重新登录'],
  REFRESH_TOKEN_REUSED: [401, '登录凭证已被使用，为保障账号安全请重新登录'],
  // 403 — you may not
  FORBIDDEN: [403, '无权进行此操作'],
  ACCOUNT_DISABLED: [403, '账号已停用，请联系医院'],
  ACCOUNT_LOCKED: [403, '密码错误次数过多，账号已临时锁定，请稍后再试'],
  PASSWORD_CHANGE_REQUIRED: [403, '为了账号安全，请先修改初始密码'],
  // 404
  NOT_FOUND: [404, '请求的资源不存在'],
  ROUTE_NOT_FOUND: [404, '接口不存在'],
  METHOD_NOT_ALLOWED: [405, '不支持该请求方法'],
  // 409 / 422 — conflicts with the current state
  PHONE_ALREADY_REGISTERED: [409, '该手机号已注册，请直接登录'],
  SMS_CODE_INVALID: [422, '验证码错误或已过期'],
  SMS_CODE_TOO_MANY_ATTEMPTS: [422, '验证码错误次数过多，请重新获取'],
  PASSWORD_SAME_AS_OLD: [422, '新密码不能与原密码相同'],
  // Patients' profiles (就诊人) and health records
  ID_NUMBER_INVALID: [422, '证件号码不正确，请核对'],
  ID_INFO_MISMATCH: [422, '性别或出生日期与身份证号不一致'],
  PROFILE_DUPLICATE: [409, '该就诊人已添加'],
  PROFILE_LIMIT_REACHED: [409, '就诊人数量已达上限'],
  PROFILE_HAS_APPOINTMENTS: [409, '该就诊人还有未完成的预约，请先取消或就诊后再删除'],
  // Catalogue and schedules
  DEPARTMENT_CODE_TAKEN: [409, '科室编码已存在'],
  DEPARTMENT_PARENT_INVALID: [422, '上级科室无效'],
  SESSION_EXISTS: [409, '该医生在该日期该时段已有排班'],
  SESSION_TIMES_INVALID: [422, '出诊时间设置有误'],
  SESSION_IN_PAST: [422, '不能为已过去的日期排班'],
  CAPACITY_BELOW_BOOKED: [409, '号源数不能少于已预约人数'],
  CAPACITY_ABOVE_RANGE: [422, '号源数超出该时段的序号范围，请新增时段'],
  DEPARTMENT_NOT_FOUND: [404, '科室不存在'],
  DOCTOR_NOT_FOUND: [404, '医生不存在'],
  TEMPLATE_NOT_FOUND: [404, '出诊模板不存在'],
  // Booking, payment, cancellation and suspension (functions/src/booking/, functions/src/payment/)
  IDEMPOTENCY_KEY_REQUIRED: [400, '缺少 Idempotency-Key 请求头'],
  IDEMPOTENCY_KEY_INVALID: [400, 'Idempotency-Key 格式不正确（8–64 位字母、数字、- 或 _）'],
  IDEMPOTENCY_KEY_REUSED: [422, '该 Idempotency-Key 已用于另一笔不同的预约请求'],
  PROFILE_NOT_FOUND: [404, '就诊人不存在'],
  NOTIFICATION_NOT_FOUND: [404, '消息不存在'],
  SLOT_NOT_FOUND: [404, '号源不存在'],
  APPOINTMENT_NOT_FOUND: [404, '预约不存在'],
  SESSION_NOT_FOUND: [404, '排班不存在'],
  SUSPENSION_REQUEST_NOT_FOUND: [404, '停诊申请不存在'],
  SLOT_FULL: [409, '该时段号源已约满'],
  SLOT_NOT_RELEASED: [409, '该时段尚未放号，请在放号时间后预约'],
  SESSION_SUSPENDED: [409, '该医生本次出诊已停诊'],
  SLOT_PAST: [409, '该时段已过，无法预约'],
  ALREADY_BOOKED: [409, '该就诊人已预约本次出诊，请勿重复预约'],
  DAILY_LIMIT_REACHED: [409, '该就诊人当日预约数已达上限'],
  DEPARTMENT_DAILY_LIMIT_REACHED: [409, '该就诊人当日在该科室的预约数已达上限'],
  BOOKING_BANNED: [403, '因多次预约未就诊，暂停预约资格'],
  HOLD_EXPIRED: [409, '支付超时，预约已失效，号源已释放'],
  NOT_PAYABLE: [409, '该预约当前无需支付或不能支付'],
  CANCEL_CUTOFF_PASSED: [409, '已过取消时限，无法取消预约'],
  NOT_CANCELLABLE: [409, '该预约当前状态不能取消'],
  SESSION_ALREADY_SUSPENDED: [409, '该出诊已停诊'],
  PAYMENT_FAILED: [503, '支付失败，请稍后重试'],
  DOCTOR_UNAVAILABLE: [409, '该医生暂停出诊，请选择其他医生'],
  SESSION_STARTED: [409, '该出诊已开始或已结束，不能停诊'],
  SESSION_RELEASED: [409, '该排班已放号，挂号费不能再修改'],
  SUSPENSION_REQUEST_PENDING: [409, '该排班已有待审核的停诊申请'],
  SUSPENSION_REQUEST_DECIDED: [409, '该停诊申请已处理'],
  // 替诊 (functions/src/schedule/substitution.ts)
  SUBSTITUTE_SAME_DOCTOR: [422, '替诊医生不能是本次出诊的医生'],
  SUBSTITUTE_NOT_ACTIVE: [409, '替诊医生已停止出诊，不能替诊'],
  SUBSTITUTE_OTHER_DEPARTMENT: [422, '替诊医生须为本科室的医生'],
  SUBSTITUTE_TITLE_TOO_LOW: [422, '替诊医生的职称不能低于原出诊医生'],
  SUBSTITUTE_BUSY: [409, '替诊医生在该日期该时段已有出诊安排'],
  NOTIFICATION_NOT_RETRYABLE: [409, '只有发送失败的消息才能重新发送'],
  // 候补 (functions/src/waitlist/)
  WAITLIST_NOT_FULL: [409, '该出诊仍有可预约号源，请直接预约'],
  WAITLIST_CLOSED: [409, '该出诊的候补已截止'],
  WAITLIST_LIMIT_REACHED: [409, '该就诊人同时候补的出诊数已达上限'],
  ALREADY_WAITING: [409, '该就诊人已在本次出诊的候补队列中'],
  WAITLIST_SLOT_INVALID: [422, '所选时段不属于该出诊'],
  WAITLIST_ENTRY_NOT_FOUND: [404, '候补记录不存在'],
  WAITLIST_NOT_WAITING: [409, '该候补已结束，不能取消'],
  // The visit flow (functions/src/visit/)
  CHECK_IN_NOT_OPEN: [409, '尚未到签到时间'],
  CHECK_IN_CLOSED: [409, '已过签到时间，请到分诊台咨询'],
  VISIT_STATE_CONFLICT: [409, '该预约当前状态不能进行此操作'],
  PASS_LIMIT_REACHED: [409, '过号次数已达上限，不再叫号，请到分诊台咨询'],
  QUEUE_EMPTY: [409, '暂无候诊患者'],
  QUEUE_BUSY: [409, '当前患者尚未就诊完成或过号，请先处理当前患者'],
  BAN_NOT_FOUND: [404, '预约限制记录不存在'],
  BAN_ALREADY_LIFTED: [409, '该预约限制已解除'],
  DEPARTMENT_IN_USE: [409, '该科室仍有在职医生、启用中的小科或未来出诊，请先调整后再停用'],
  DEPARTMENT_INACTIVE: [409, '该科室已停用，不能新增排班'],
  GENERATE_RANGE_INVALID: [422, '生成范围有误：请同时选择开始和结束日期，且开始日期不晚于结束日期'],
  GENERATE_RANGE_IN_PAST: [422, '生成范围不能早于今天'],
  GENERATE_RANGE_TOO_LONG: [422, '生成范围过长'],
  DEPARTMENT_ORDER_MISMATCH: [409, '排序须恰好包含同一上级科室下的全部科室（含停用），每个一次；请刷新后重试'],
  // 429 — slow down
  SMS_TOO_FREQUENT: [429, '验证码发送过于频繁，请稍后再试'],
  SMS_DAILY_LIMIT: [429, '今日验证码发送次数已达上限'],
  // 5xx — ours, never a stack trace
  DATABASE_BUSY: [503, '系统繁忙，请稍后重试'],
  SERVICE_UNAVAILABLE: [503, '服务暂不可用，请稍后重试'],
  SMS_SEND_FAILED: [503, '短信发送失败，请稍后重试'],
  INTERNAL: [500, '系统异常，请稍后重试'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof errorCatalog;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    /** Overrides the catalogue message with a more specific Chinese one. */
    message?: string,
    /** Safe, structured detail for the client (e.g. which field failed, seconds to wait). */
    readonly details?: Record<string, unknown>,
    /** Seconds before a retry may succeed (429 / 503), sent as Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    const [status, text] = errorCatalog[code];
    super(message ?? text);
    this.name = 'AppError';
    this.status = status;
  }
}
