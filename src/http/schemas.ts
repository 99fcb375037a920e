import { z } from 'zod';
import { ROLES } from '../domain/roles.js';

/** Shared request pieces. Ids travel as strings (API.md). */
export const idString = z.string().regex(/^\d+$/, 'must be a numeric id string');
export const uuidString = z.string().uuid();
export const page = {
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(200).optional(),
};
export const roleEnum = z.enum(ROLES);
export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }).passthrough(),
});
/** Query-string booleans: ?overdue=true / 1. */
export const queryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
