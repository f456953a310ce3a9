/**
 * The app's names for the API's shapes: aliases of api-types.gen.ts, which `npm run api:types`
 * generates from the API's openapi.json (and `npm test` checks is up to date). Nothing here is
 * written by hand, so a change of the server's schemas reaches every page as a type error.
 */
import type { components, paths } from './api-types.gen';

type Schemas = components['schemas'];
/** The JSON a route answers with on success (200 or 201). */
type Ok<Path extends keyof paths, Method extends 'get' | 'post' | 'put' | 'delete'> = NonNullable<paths[Path][Method]> extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer T } } }
    ? T
    : R extends { 201: { content: { 'application/json': infer T } } }
      ? T
      : never
  : never;
/** The JSON body a route takes. */
type Body<Path extends keyof paths, Method extends 'post' | 'put'> = NonNullable<paths[Path][Method]> extends {
  requestBody?: { content: { 'application/json': infer T } };
}
  ? T
  : never;

/** Every error code of the API. */
export type ApiErrorCode = Schemas['ErrorCode'];
/** A Shanghai clinic date, YYYY-MM-DD. */
export type LocalDate = string;
/** An instant, ISO 8601 in UTC. */
export type Instant = string;

export type Account = Schemas['Account'];
export type TokenPair = Schemas['TokenPair'];
export type Session = Schemas['Session'];
export type DepartmentNode = Schemas['DepartmentNode'];
export type DoctorCard = Schemas['DoctorCard'];
export type DoctorTitle = DoctorCard['title'];

export type DoctorCalendar = Ok<'/api/v1/doctors/{id}/sessions', 'get'>;
export type ClinicSession = DoctorCalendar['sessions'][number];
export type CalendarSlot = ClinicSession['slots'][number];
export type Period = ClinicSession['period'];
export type SlotState = CalendarSlot['state'];

export type PatientProfile = Schemas['PatientProfile'];
export type NewProfile = Body<'/api/v1/me/profiles', 'post'>;
export type IdType = PatientProfile['idType'];
export type Relation = PatientProfile['relation'];

export type HealthRecord = Schemas['HealthRecord'];
export type BloodType = HealthRecord['bloodType'];
export type RhFactor = HealthRecord['rhFactor'];

export type Appointment = Schemas['Appointment'];
export type AppointmentStatus = Appointment['status'];
export type AppointmentScope = NonNullable<NonNullable<paths['/api/v1/appointments']['get']['parameters']['query']>['scope']>;

/** The booking rules in force for a department (GET /booking-rules): hospital policy, public. */
export type EffectiveBookingRules = Schemas['EffectiveBookingRules'];
export type InboxMessage = Schemas['InboxMessage'];
export type InboxPage = Ok<'/api/v1/me/messages', 'get'>;

/** 候补 (waitlist) entries: GET /waitlist, POST /waitlist, POST /waitlist/{id}/leave. */
export type WaitlistEntry = Schemas['WaitlistEntry'];
export type WaitlistStatus = WaitlistEntry['status'];
