import net from 'node:net';
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
  TRUST_PROXY: z.string().trim().default('false'),
  // Xero's webhook signing key (developer.xero.com → the app → Webhooks); without it /webhooks/xero answers 401.
  XERO_WEBHOOK_KEY: z.string().min(1).optional(),
  XERO_CLIENT_ID: z.string().min(1).optional(),
  XERO_CLIENT_SECRET: z.string().min(1).optional(),
  XERO_REDIRECT_URI: z.string().url().optional(),
  XERO_API_URL: z.string().url().default('https://api.xero.com/api.xro/2.0'),
  XERO_AUTHORIZE_URL: z.string().url().default('https://login.xero.com/identity/connect/authorize'),
  XERO_IDENTITY_URL: z.string().url().default('https://identity.xero.com'),
  PERPETUA_ENCRYPTION_KEY: z.string().optional(),
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
  /** Express's `trust proxy`: which proxies' X-Forwarded-* headers give the client's address and https. */
  trustProxy: TrustProxy;
  /** Signs Xero's webhook deliveries (HMAC-SHA256); undefined: every delivery is refused. */
  xeroWebhookKey?: string;
  /** redirectUri defaults to PUBLIC_URL/xero/callback. */
  xero: Readonly<{ clientId?: string; clientSecret?: string; redirectUri: string; apiUrl: string; identityUrl: string; authorizeUrl: string }>;
  /** AES-256 key for tokens at rest; needed only once an accounting system is connected. */
  encryptionKey?: Buffer;
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
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    xeroWebhookKey: e.XERO_WEBHOOK_KEY,
    xero: Object.freeze({
      clientId: e.XERO_CLIENT_ID,
      clientSecret: e.XERO_CLIENT_SECRET,
      redirectUri: e.XERO_REDIRECT_URI ?? `${e.PUBLIC_URL.replace(/\/$/, '')}/xero/callback`,
      apiUrl: e.XERO_API_URL.replace(/\/$/, ''),
      identityUrl: e.XERO_IDENTITY_URL.replace(/\/$/, ''),
      authorizeUrl: e.XERO_AUTHORIZE_URL,
    }),
    encryptionKey: e.PERPETUA_ENCRYPTION_KEY ? parseEncryptionKey(e.PERPETUA_ENCRYPTION_KEY) : undefined,
  });
}

export type TrustProxy = boolean | number | string;

const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY as express takes it: true/false, a hop count, or proxies' addresses, CIDR ranges and
 * named ranges separated by commas. Checked here so a typo stops start-up instead of trusting nobody.
 */
export function parseTrustProxy(text: string): TrustProxy {
  const t = text.trim();
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (/^\d+$/.test(t)) return Number(t);
  const entries = t.split(',').map((s) => s.trim());
  const bad = entries.filter((s) => !NAMED_RANGES.includes(s) && !isAddressOrRange(s));
  if (!t || bad.length) {
    throw new Error('Invalid configuration: TRUST_PROXY must be true, false, a number of proxy hops, or addresses, '
      + `CIDR ranges, loopback, linklocal or uniquelocal separated by commas; not understood: ${bad.join(', ') || '(empty)'}`);
  }
  return entries.join(',');
}

function isAddressOrRange(entry: string): boolean {
  const [address, range, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (!family || rest.length) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && net.isIPv4(range); // a netmask such as 255.255.255.0
}

/** 32 bytes, written as 64 hex digits or as base64 (`openssl rand -base64 32`). */
export function parseEncryptionKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new Error(`Invalid configuration: PERPETUA_ENCRYPTION_KEY must be 32 bytes as 64 hex digits or base64 (got ${key.length} bytes); make one with: openssl rand -base64 32`);
  }
  return key;
}
