import { z } from 'zod';
import path from 'node:path';

/**
 * Environment, validated at start-up. A bad value stops the process with a message naming the
 * variable, rather than surfacing later as an obscure runtime error.
 */
const bool = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  FOODGRID_DATA_DIR: z.string().default('./data'),
  FOODGRID_DEMO: bool.optional(),
  FOODGRID_ADMIN_PASSWORD: z.string().min(1).optional(),
  FOODGRID_DB_POOL: z.coerce.number().int().min(1).max(200).default(10),
  FOODGRID_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  FOODGRID_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  FOODGRID_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(5),
  FOODGRID_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(10),
  FOODGRID_UPLOAD_DIR: z.string().optional(),
  FOODGRID_UPLOAD_MAX_MB: z.coerce.number().min(1).max(1024).default(20),
  FOODGRID_JOBS: bool.default(true),
  FOODGRID_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FOODGRID_PUBLIC_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  FOODGRID_TRUST_PROXY: bool.default(false),
  FOODGRID_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
});

export type Env = z.infer<typeof schema>;

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  uploadDir: string;
  demo: boolean;
  adminPassword?: string;
  dbPool: number;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  uploadMaxBytes: number;
  jobs: boolean;
  logLevel: Env['FOODGRID_LOG_LEVEL'];
  publicRateLimit: number;
  trustProxy: boolean;
  /** N2: server processes sharing the port (node:cluster); more than one needs PostgreSQL. */
  workers: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.FOODGRID_WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError('Invalid environment:\n  FOODGRID_WORKERS: more than one worker needs DATABASE_URL (the embedded database belongs to one process)');
  }
  const dataDir = path.resolve(e.FOODGRID_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    uploadDir: path.resolve(e.FOODGRID_UPLOAD_DIR ?? path.join(dataDir, 'uploads')),
    // The embedded database is for trying the product: it comes with the demo world unless told otherwise.
    demo: e.FOODGRID_DEMO ?? !e.DATABASE_URL,
    adminPassword: e.FOODGRID_ADMIN_PASSWORD,
    dbPool: e.FOODGRID_DB_POOL,
    sessionIdleMinutes: e.FOODGRID_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.FOODGRID_SESSION_MAX_HOURS,
    lockoutThreshold: e.FOODGRID_LOCKOUT_THRESHOLD,
    lockoutMinutes: e.FOODGRID_LOCKOUT_MINUTES,
    uploadMaxBytes: Math.round(e.FOODGRID_UPLOAD_MAX_MB * 1024 * 1024),
    jobs: e.FOODGRID_JOBS,
    logLevel: e.FOODGRID_LOG_LEVEL,
    publicRateLimit: e.FOODGRID_PUBLIC_RATE_LIMIT,
    trustProxy: e.FOODGRID_TRUST_PROXY,
    workers: e.FOODGRID_WORKERS,
  };
}
