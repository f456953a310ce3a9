/** The route files of the doctor's function (lambda/api-doctor.ts): /api/v1/doctor/*. */
import { doctorSuspensionRoutes } from '../booking/suspension.routes.js';
import { doctorRoutes } from '../doctor/doctor.routes.js';
import { scheduleRoutes } from '../schedule/schedule.routes.js';
import { visitDoctorRoutes } from '../visit/visit-doctor.routes.js';
import type { RouteGroup } from './http-api.js';

export const doctorGroup: RouteGroup = () => [...doctorRoutes, ...scheduleRoutes, ...doctorSuspensionRoutes, ...visitDoctorRoutes];
