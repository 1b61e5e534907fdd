import { z } from 'zod';
import { cronPattern } from '../config/fields.ts';

/** `digest`: when the daily "all is well / here is what happened" message is sent. */
export const digestSchema = z.strictObject({ schedule: cronPattern.default('0 0 9 * * *') }).prefault({});
