/**
 * Every HTTP route of the API, in one list: served by http/app.ts, described by openapi.json.
 * On AWS each audience's routes are a Lambda function of their own (http/audience.ts); a new
 * route file is added here and to its audiences' groups (lambda/public-group.ts, doctor-group.ts).
 */
import { adminRecordRoutes } from './admin/admin.routes.js';
import { adminPeopleRoutes } from './admin/people.routes.js';
import { adminUserRoutes } from './admin/users.routes.js';
import { authRoutes } from './auth/auth.routes.js';
import { bookingRoutes } from './booking/booking.routes.js';
import { adminSuspensionRoutes, doctorSuspensionRoutes } from './booking/suspension.routes.js';
import { catalogAdminRoutes } from './catalog/catalog-admin.routes.js';
import { catalogRoutes } from './catalog/catalog.routes.js';
import { devRoutesEnabled } from './config.js';
import type { AppDeps } from './deps.js';
import { doctorRoutes } from './doctor/doctor.routes.js';
import type { RouteSpec } from './http/route.js';
import { notificationAdminRoutes } from './notification/notification-admin.routes.js';
import { notificationRoutes } from './notification/notification.routes.js';
import { patientRoutes } from './patient/patient.routes.js';
import { bookingRuleAdminRoutes } from './rules/booking-rules-admin.routes.js';
import { bookingRuleRoutes } from './rules/booking-rules.routes.js';
import { scheduleRoutes } from './schedule/schedule.routes.js';
import { sessionAdminRoutes } from './schedule/session-admin.routes.js';
import { substitutionRoutes } from './schedule/substitution.routes.js';
import { statisticsRoutes } from './statistics/statistics.routes.js';
import { devRoutes, systemRoutes } from './system/system.routes.js';
import { waitlistRoutes } from './waitlist/waitlist.routes.js';
import { visitAdminRoutes } from './visit/visit-admin.routes.js';
import { visitDoctorRoutes } from './visit/visit-doctor.routes.js';
import { visitRoutes } from './visit/visit.routes.js';

export function apiRoutes(deps: Pick<AppDeps, 'config'>): RouteSpec[] {
  const routes: RouteSpec[] = [];
  routes.push(...systemRoutes(() => routes), ...authRoutes, ...adminUserRoutes);
  routes.push(...catalogRoutes, ...catalogAdminRoutes, ...scheduleRoutes, ...doctorRoutes, ...patientRoutes);
  routes.push(...bookingRoutes, ...adminSuspensionRoutes, ...doctorSuspensionRoutes, ...bookingRuleRoutes, ...bookingRuleAdminRoutes, ...adminRecordRoutes);
  routes.push(...notificationAdminRoutes, ...notificationRoutes);
  routes.push(...substitutionRoutes);
  routes.push(...sessionAdminRoutes);
  routes.push(...waitlistRoutes);
  routes.push(...statisticsRoutes);
  routes.push(...visitRoutes, ...visitDoctorRoutes, ...visitAdminRoutes);
  routes.push(...adminPeopleRoutes);
  if (devRoutesEnabled(deps.config)) routes.push(...devRoutes);
  return routes;
}

export { audienceOf, type Audience } from './http/audience.js';
