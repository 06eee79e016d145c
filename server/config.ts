import path from 'node:path';
import { z } from 'zod';

// The only module that reads process.env: everything else receives a frozen Config.
const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional(),
  PERPETUA_DATA_DIR: z.string().default('./data'),
  PUBLIC_URL: z.string().url().default('http://localhost:3000'),
  SESSION_SECRET: z.string().min(32).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKERS: z.enum(['on', 'off']).default('on'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  SIGNUP: z.enum(['first-run', 'open']).default('first-run'),
});

export type Config = Readonly<{
  env: 'development' | 'test' | 'production';
  port: number;
  databaseUrl?: string;
  dataDir: string;
  publicUrl: string;
  sessionSecret?: string;
  logLevel: string;
  workers: boolean;
  dbPoolMax: number;
  /** first-run: /setup works only until the first organisation exists; open: anyone may create one. */
  signup: 'first-run' | 'open';
}>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new Error('Invalid configuration: SESSION_SECRET is required in production');
  }
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.PERPETUA_DATA_DIR),
    publicUrl: e.PUBLIC_URL.replace(/\/$/, ''),
    sessionSecret: e.SESSION_SECRET,
    logLevel: e.LOG_LEVEL,
    workers: e.WORKERS === 'on',
    dbPoolMax: e.DB_POOL_MAX,
    signup: e.SIGNUP,
  });
}
