/** The route files of the doctor's function (lambda/api-doctor.ts): /api/v1/doctor/*. */
import { bookingRoutes } from '../booking/booking.routes.js';
import { doctorRoutes } from '../doctor/doctor.routes.js';
import { scheduleRoutes } from '../schedule/schedule.routes.js';
import { visitRoutes } from '../visit/visit.routes.js';
import type { RouteGroup } from './http-api.js';

export const doctorGroup: RouteGroup = () => [...doctorRoutes, ...scheduleRoutes, ...bookingRoutes, ...visitRoutes];
