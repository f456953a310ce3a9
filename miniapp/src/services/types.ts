/**
 * Shapes of the API's answers, as described by GET /api/v1/openapi.json (the server's zod
 * schemas: functions/src/catalog/catalog.routes.ts, patient/patient.routes.ts,
 * auth/schemas.ts, booking/appointment-view.ts). tests/miniapp/api-types.test.ts checks these
 * names and fields against the served document so the two cannot drift apart silently.
 */
export type LocalDate = string;
export type Instant = string;
export type DoctorTitle = 'chief' | 'associate_chief' | 'attending' | 'resident';
export type Period = 'morning' | 'afternoon' | 'evening';

export interface Account {
  id: number;
  phone: string;
  role: 'patient' | 'doctor' | 'admin';
  status: 'active' | 'disabled';
  displayName: string | null;
  createdAt: Instant;
}

export interface TokenPair {
  accessToken: string;
  accessTokenExpiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: Instant;
}

export interface Session {
  account: Account;
  tokens: TokenPair;
}

export interface DepartmentNode {
  id: number;
  code: string;
  name: string;
  intro: string | null;
  location: string | null;
  parentId: number | null;
  children: DepartmentNode[];
}

export interface DoctorCard {
  id: number;
  name: string;
  title: DoctorTitle;
  titleLabel: string;
  specialty: string;
  intro: string | null;
  photoUrl: string | null;
  feeFen: number;
  department: { id: number; name: string; location: string | null };
  availability: { date: LocalDate; remaining: number; released: boolean }[];
}

export type SlotState = 'available' | 'full' | 'not_released' | 'suspended' | 'past';

export interface CalendarSlot {
  id: number;
  startTime: string;
  endTime: string;
  capacity: number;
  remaining: number;
  state: SlotState;
  stateLabel: string;
}

export interface ClinicSession {
  id: number;
  date: LocalDate;
  period: Period;
  periodLabel: string;
  startTime: string;
  endTime: string;
  feeFen: number;
  status: 'open' | 'suspended';
  suspendReason: string | null;
  releaseAt: Instant;
  remaining: number;
  slots: CalendarSlot[];
}

export interface DoctorCalendar {
  from: LocalDate;
  to: LocalDate;
  sessions: ClinicSession[];
}

export type IdType = 'resident_id' | 'passport' | 'hk_macao_permit' | 'taiwan_permit' | 'foreign_permanent';
export type Relation = 'self' | 'child' | 'parent' | 'spouse' | 'other';

export interface PatientProfile {
  id: number;
  realName: string;
  idType: IdType;
  idTypeLabel: string;
  idNumberMasked: string;
  gender: 'male' | 'female';
  birthDate: LocalDate;
  age: number;
  phoneMasked: string;
  relation: Relation;
  isDefault: boolean;
  createdAt: Instant;
}

export interface NewProfile {
  realName: string;
  idType: IdType;
  idNumber: string;
  gender?: 'male' | 'female';
  birthDate?: LocalDate;
  phone: string;
  relation: Relation;
  isDefault?: boolean;
}

export type BloodType = 'A' | 'B' | 'AB' | 'O' | 'unknown';
export type RhFactor = 'positive' | 'negative' | 'unknown';

export interface HealthRecord {
  bloodType: BloodType;
  rhFactor: RhFactor;
  allergies: string;
  chronicConditions: string;
  medications: string;
  notes: string;
  updatedAt: Instant | null;
}

export type AppointmentStatus = 'pending_payment' | 'booked' | 'checked_in' | 'completed' | 'cancelled' | 'expired' | 'no_show';
export type AppointmentScope = 'upcoming' | 'past' | 'cancelled';

export interface Appointment {
  id: number;
  orderNo: string;
  status: AppointmentStatus;
  queueNumber: number;
  feeFen: number;
  holdExpiresAt: Instant | null;
  profile: { id: number; realName: string };
  slot: { id: number; sessionId: number; date: LocalDate; period: Period; startTime: string; endTime: string; startsAt: Instant };
  doctor: { id: number; name: string; title: DoctorTitle };
  department: { id: number; name: string; location: string | null };
  createdAt: Instant;
  paidAt: Instant | null;
  cancelledAt: Instant | null;
  cancelledBy: 'patient' | 'doctor' | 'admin' | 'system' | null;
  cancelReason: string | null;
  expiredAt: Instant | null;
}

/** The booking rules in force for a department (GET /booking-rules): hospital policy, public. */
export interface EffectiveBookingRules {
  daysAhead: number;
  releaseTime: string;
  cancelCutoffMinutes: number;
  paymentHoldMinutes: number;
  maxPerProfilePerDay: number;
  maxPerProfilePerDepartmentPerDay: number;
  maxProfilesPerAccount: number;
  noShowThreshold: number;
  noShowWindowDays: number;
  noShowBanDays: number;
}
