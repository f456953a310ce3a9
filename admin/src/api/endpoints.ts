/** Every API route the console uses, one typed function each (types from the generated OpenAPI types). */
import { call, download } from './client';
import { inTreeOrder } from './departmentTree';
import type {
  Account,
  AdminAccount,
  AdminAppointment,
  AdminAppointmentDetail,
  AdminDepartment,
  DepartmentOrder,
  AdminDoctor,
  AdminMessage,
  AdminPatientProfile,
  AdminWaitlistEntry,
  Body,
  BookingBan,
  AuditEntry,
  ClinicSession,
  GenerationInput,
  GenerationResult,
  ScheduleTemplate,
  SubstituteDoctor,
  Substitution,
  SuspensionPreview,
  TemplateInput,
  DepartmentInput,
  DoctorInput,
  LoginSession,
  NewDoctorInput,
  Query,
  Response,
  RuleBook,
  RuleOverrides,
  RuleSet,
  Suspension,
  TokenPair,
} from './schema';

export const authApi = {
  login: (body: Body<'/api/v1/auth/login', 'post'>) => call<LoginSession>('POST', '/auth/login', { body, quiet: true, noRefresh: true, anonymous: true }),
  logout: (refreshToken: string) => call<{ ok: true }>('POST', '/auth/logout', { body: { refreshToken }, quiet: true, noRefresh: true, anonymous: true }),
  me: () => call<Account>('GET', '/me'),
  changePassword: (body: Body<'/api/v1/me/password', 'post'>) => call<TokenPair>('POST', '/me/password', { body, quiet: true }),
};

export const departmentApi = {
  // In the tree's order, so every picker lists each 大科 with its 小科 under it.
  list: () => call<{ items: AdminDepartment[] }>('GET', '/admin/departments').then((r) => ({ items: inTreeOrder(r.items) })),
  create: (body: DepartmentInput) => call<AdminDepartment>('POST', '/admin/departments', { body, quiet: true }),
  update: (id: number, body: DepartmentInput) => call<AdminDepartment>('PUT', `/admin/departments/${id}`, { body, quiet: true }),
  reorder: (body: DepartmentOrder) => call<{ items: AdminDepartment[] }>('PUT', '/admin/departments/order', { body, quiet: true }),
};

export const doctorApi = {
  list: (departmentId?: number) => call<{ items: AdminDoctor[] }>('GET', '/admin/doctors', { query: { departmentId } }),
  create: (body: NewDoctorInput) => call<AdminDoctor>('POST', '/admin/doctors', { body, quiet: true }),
  update: (id: number, body: DoctorInput) => call<AdminDoctor>('PUT', `/admin/doctors/${id}`, { body, quiet: true }),
};

export const userApi = {
  list: (query: Query<'/api/v1/admin/users', 'get'>) => call<Response<'/api/v1/admin/users', 'get'>>('GET', '/admin/users', { query }),
  create: (body: Body<'/api/v1/admin/users', 'post'>) => call<Account>('POST', '/admin/users', { body, quiet: true }),
  setStatus: (id: number, status: 'active' | 'disabled') => call<Account>('PUT', `/admin/users/${id}/status`, { body: { status } }),
  /** A new generated password for a doctor or admin, answered once; their logins end. */
  resetPassword: (id: number) => call<Response<'/api/v1/admin/users/{id}/password-reset', 'post'>>('POST', `/admin/users/${id}/password-reset`),
  /** A patient account's 就诊人, masked by the server; each read is audited. */
  profiles: (id: number) => call<{ items: AdminPatientProfile[] }>('GET', `/admin/users/${id}/profiles`, { quiet: true }),
};

export const ruleApi = {
  book: () => call<RuleBook>('GET', '/admin/booking-rules'),
  ofDepartment: (departmentId: number) => call<RuleSet>('GET', `/admin/booking-rules/departments/${departmentId}`),
  saveGlobal: (body: RuleOverrides) => call<RuleSet>('PUT', '/admin/booking-rules', { body, quiet: true }),
  saveDepartment: (departmentId: number, body: RuleOverrides) =>
    call<RuleSet>('PUT', `/admin/booking-rules/departments/${departmentId}`, { body, quiet: true }),
  removeDepartment: (departmentId: number) => call<RuleSet>('DELETE', `/admin/booking-rules/departments/${departmentId}`),
};

export const sessionApi = {
  list: (query: Query<'/api/v1/admin/sessions', 'get'>) => call<{ items: ClinicSession[] }>('GET', '/admin/sessions', { query }),
  setCapacity: (slotId: number, capacity: number) => call<ClinicSession>('PUT', `/admin/slots/${slotId}/capacity`, { body: { capacity }, quiet: true }),
  addSlot: (sessionId: number, body: Body<'/api/v1/admin/sessions/{id}/slots', 'post'>) =>
    call<ClinicSession>('POST', `/admin/sessions/${sessionId}/slots`, { body, quiet: true }),
  suspend: (sessionId: number, reason: string) => call<Suspension>('POST', `/admin/sessions/${sessionId}/suspend`, { body: { reason }, quiet: true }),
  /** The appointments a 停诊 would cancel now (masked), and which of them are refunded. */
  suspensionPreview: (sessionId: number) => call<SuspensionPreview>('GET', `/admin/sessions/${sessionId}/appointments`),
  substitutes: (sessionId: number) => call<{ items: SubstituteDoctor[] }>('GET', `/admin/sessions/${sessionId}/substitutes`),
  substitute: (sessionId: number, body: { doctorId: number; reason: string }) =>
    call<Substitution>('POST', `/admin/sessions/${sessionId}/substitute`, { body, quiet: true }),
};

export const templateApi = {
  list: (doctorId: number) => call<{ items: ScheduleTemplate[] }>('GET', `/admin/doctors/${doctorId}/templates`),
  create: (doctorId: number, body: TemplateInput) => call<{ items: ScheduleTemplate[] }>('POST', `/admin/doctors/${doctorId}/templates`, { body, quiet: true }),
  update: (doctorId: number, templateId: number, body: TemplateInput) =>
    call<{ items: ScheduleTemplate[] }>('PUT', `/admin/doctors/${doctorId}/templates/${templateId}`, { body, quiet: true }),
  remove: (doctorId: number, templateId: number) => call<{ items: ScheduleTemplate[] }>('DELETE', `/admin/doctors/${doctorId}/templates/${templateId}`),
  /** Runs the generator over a Shanghai date range (and one department or doctor): what it made and skipped. The page shows a failure itself. */
  generate: (body: GenerationInput) => call<GenerationResult>('POST', '/admin/schedule/generate', { body, quiet: true }),
};

export const auditApi = {
  list: (query: Query<'/api/v1/admin/audit-log', 'get'>) =>
    call<{ items: AuditEntry[]; total: number; page: number; pageSize: number }>('GET', '/admin/audit-log', { query }),
};

export const notificationApi = {
  list: (query: Query<'/api/v1/admin/notifications', 'get'>) =>
    call<{ items: AdminMessage[]; total: number; page: number; pageSize: number }>('GET', '/admin/notifications', { query, quiet: true }),
  retry: (id: number) => call<AdminMessage>('POST', `/admin/notifications/${id}/retry`),
};

export type AppointmentFilter = Query<'/api/v1/admin/export/appointments.csv', 'get'>;

export const appointmentApi = {
  list: (query: Query<'/api/v1/admin/appointments', 'get'>) =>
    call<{ items: AdminAppointment[]; total: number; page: number; pageSize: number }>('GET', '/admin/appointments', { query }),
  detail: (id: number) => call<AdminAppointmentDetail>('GET', `/admin/appointments/${id}`),
  /** 取消预约 for the patient: refunded if paid, the patient is told the reason. */
  cancel: (id: number, reason: string) => call<AdminAppointmentDetail>('POST', `/admin/appointments/${id}/cancel`, { body: { reason }, quiet: true }),
  exportCsv: (filter: AppointmentFilter, filename: string) => download('/admin/export/appointments.csv', filter, filename),
};

export const banApi = {
  list: (active: boolean) => call<{ items: BookingBan[] }>('GET', '/admin/bans', { query: { active: String(active) }, quiet: true }),
  /** 解除预约限制 with the reason (audited). */
  lift: (id: number, reason: string) => call<BookingBan>('POST', `/admin/bans/${id}/lift`, { body: { reason }, quiet: true }),
};

export const waitlistApi = {
  list: (query: Query<'/api/v1/admin/waitlist', 'get'>) =>
    call<{ items: AdminWaitlistEntry[]; total: number; page: number; pageSize: number }>('GET', '/admin/waitlist', { query, quiet: true }),
};
