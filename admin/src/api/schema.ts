/**
 * The API's request and response types, read off the repository's one generated file of API types
 * (`npm run api:types`, from openapi.json; every app imports it) by path and method, so a page names
 * `Response<'/api/v1/admin/doctors', 'get'>` and never restates a server shape.
 */
import type { paths } from '../../../miniapp/src/services/api-types.gen';

export type ApiPath = keyof paths;
type Method = 'get' | 'post' | 'put' | 'delete';
type Operation<P extends ApiPath, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer B } ? B : never;

/** The JSON body of the route's success answer. */
export type Response<P extends ApiPath, M extends Method> = Operation<P, M> extends { responses: infer R } ? JsonOf<Success<R>> : never;
/** The JSON body the route takes. */
export type Body<P extends ApiPath, M extends Method> = Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
/** The query parameters the route takes. */
export type Query<P extends ApiPath, M extends Method> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Account = Response<'/api/v1/me', 'get'>;
export type TokenPair = Response<'/api/v1/auth/refresh', 'post'>;
export type LoginSession = Response<'/api/v1/auth/login', 'post'>;
export type AdminDepartment = Response<'/api/v1/admin/departments', 'get'>['items'][number];
export type DepartmentInput = Body<'/api/v1/admin/departments', 'post'>;
export type DepartmentOrder = Body<'/api/v1/admin/departments/order', 'put'>;
export type AdminDoctor = Response<'/api/v1/admin/doctors', 'get'>['items'][number];
export type DoctorInput = Body<'/api/v1/admin/doctors/{id}', 'put'>;
export type NewDoctorInput = Body<'/api/v1/admin/doctors', 'post'>;
export type AdminAccount = Response<'/api/v1/admin/users', 'get'>['items'][number];
export type RuleBook = Response<'/api/v1/admin/booking-rules', 'get'>;
export type RuleSet = Response<'/api/v1/admin/booking-rules/departments/{departmentId}', 'get'>;
export type RuleOverrides = Body<'/api/v1/admin/booking-rules', 'put'>;
export type ClinicSession = Response<'/api/v1/admin/sessions', 'get'>['items'][number];
export type Suspension = Response<'/api/v1/admin/sessions/{id}/suspend', 'post'>;
export type SuspensionPreview = Response<'/api/v1/admin/sessions/{id}/appointments', 'get'>;
export type SubstituteDoctor = Response<'/api/v1/admin/sessions/{id}/substitutes', 'get'>['items'][number];
export type Substitution = Response<'/api/v1/admin/sessions/{id}/substitute', 'post'>;
export type ScheduleTemplate = Response<'/api/v1/admin/doctors/{id}/templates', 'get'>['items'][number];
export type TemplateInput = Body<'/api/v1/admin/doctors/{id}/templates', 'post'>;
export type GenerationResult = Response<'/api/v1/admin/schedule/generate', 'post'>;
export type GenerationInput = Body<'/api/v1/admin/schedule/generate', 'post'>;
export type AuditEntry = Response<'/api/v1/admin/audit-log', 'get'>['items'][number];
export type AdminAppointment = Response<'/api/v1/admin/appointments', 'get'>['items'][number];
export type AdminAppointmentDetail = Response<'/api/v1/admin/appointments/{id}', 'get'>;
export type AdminMessage = Response<'/api/v1/admin/notifications', 'get'>['items'][number];
export type BookingBan = Response<'/api/v1/admin/bans', 'get'>['items'][number];
export type AdminPatientProfile = Response<'/api/v1/admin/users/{id}/profiles', 'get'>['items'][number];
export type AdminWaitlistEntry = Response<'/api/v1/admin/waitlist', 'get'>['items'][number];
