/** AWS Lambda entry of the doctor's API (serverless.yml `apiDoctor`: /api/v1/doctor/*). */
import { doctorGroup } from './doctor-group.js';
import { lambdaHttpApi } from './http-api.js';

export const handler = lambdaHttpApi('doctor', doctorGroup);
