/**
 * The route files of the public and patient function (lambda/api.ts): sign-in, the catalogue,
 * booking and the patient's own pages. None of them defines a doctor's or an admin's route (those
 * live in files of their own, e.g. catalog-admin.routes.ts, for lambda/api-doctor.ts and
 * api-admin.ts), so this bundle builds no schema it does not serve (tests/deploy/lambda.test.ts).
 */
import { authRoutes } from '../auth/auth.routes.js';
import { bookingRoutes } from '../booking/booking.routes.js';
import { catalogRoutes } from '../catalog/catalog.routes.js';
import { devRoutesEnabled } from '../config.js';
import { notificationRoutes } from '../notification/notification.routes.js';
import { patientRoutes } from '../patient/patient.routes.js';
import { bookingRuleRoutes } from '../rules/booking-rules.routes.js';
import { devRoutes, systemRoutes } from '../system/system.routes.js';
import { visitRoutes } from '../visit/visit.routes.js';
import { waitlistRoutes } from '../waitlist/waitlist.routes.js';
import type { RouteGroup } from './http-api.js';

export const publicGroup: RouteGroup = (deps) => [
  // The OpenAPI document among these is the admin function's (http/audience.ts): never served here.
  ...systemRoutes(() => []),
  ...authRoutes,
  ...catalogRoutes,
  ...patientRoutes,
  ...bookingRoutes,
  ...bookingRuleRoutes,
  ...notificationRoutes,
  ...waitlistRoutes,
  ...visitRoutes,
  ...(devRoutesEnabled(deps.config) ? devRoutes : []),
];
