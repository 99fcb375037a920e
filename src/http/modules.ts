import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';
import { identityRoutes } from '../modules/identity/routes.js';
import { regionRoutes } from '../modules/regions/routes.js';
import { organizationRoutes } from '../modules/organizations/routes.js';
import { businessRoutes } from '../modules/businesses/routes.js';
import { fileRoutes } from '../modules/files/routes.js';
import { notificationRoutes } from '../modules/notifications/routes.js';
import { publicRoutes } from '../modules/public/routes.js';
import { open311Routes } from '../modules/open311/routes.js';
import { jobRoutes } from '../jobs/routes.js';
import { catalogueRoutes } from '../modules/catalogue/routes.js';
import { patrolRoutes } from '../modules/patrols/routes.js';
import { eventRoutes } from '../modules/events/routes.js';

/** Every module's routes, registered by the server. Add a module: add one line. */
export const modules: Array<(ctx: AppContext) => FastifyPluginAsyncZod> = [
  identityRoutes,
  regionRoutes,
  organizationRoutes,
  businessRoutes,
  fileRoutes,
  notificationRoutes,
  publicRoutes,
  open311Routes,
  jobRoutes,
  catalogueRoutes,
  patrolRoutes,
  eventRoutes,
];
