import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config';
import { createDb, Db } from '../db';
import { DomainError } from '../errors';
import { signUpSchema } from '../http/sign-up-input';
import { createApiKey, createOrganisation, ROLES } from '../services/auth/accounts';

const USAGE = `Usage: npm run org -- create --name <organisation> --email <admin email> --password <admin password>
                        [--admin-name <name>] [--currency GBP] [--role admin] [--key-name <name>]

Creates an organisation, its admin (who signs in with --email and --password) and its first API key,
on the embedded database or DATABASE_URL. The key alone is printed on standard output, once:
  KEY=$(npm run -s org -- create --name "Acme" --email ops@acme.test --password '...')

  --name        the organisation's name
  --email       the admin's email (signs in on the pages)
  --password    the admin's password, at least 10 characters
  --admin-name  the admin's name (default: Admin)
  --currency    base currency, a three-letter code (default: GBP)
  --role        the API key's role: ${ROLES.join(', ')} (default: admin)
  --key-name    what uses the key, shown in Settings (default: automation)
  --help        this text`;

const OPTIONS = {
  name: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, 'admin-name': { type: 'string' },
  currency: { type: 'string' }, role: { type: 'string' }, 'key-name': { type: 'string' }, help: { type: 'boolean' },
} as const;

// The set-up page's field names, as flags.
const FLAG_OF: Record<string, string> = { organisation: '--name', name: '--admin-name', email: '--email', password: '--password', base_currency: '--currency' };
const keyOptions = z.object({ role: z.enum(ROLES, `must be one of ${ROLES.join(', ')}`).default('admin'), keyName: z.string().trim().min(1, 'must not be empty').max(100).default('automation') });

export type Io = { out: (line: string) => void; err: (line: string) => void };
class BadInput extends Error {}

/** `org create …`: returns the exit code. `db` is for tests; otherwise the configured database. */
export async function main(args: string[], io: Io, db?: Db): Promise<number> {
  try {
    const { positionals, values } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.join(' ') !== 'create') throw new BadInput(`Unknown command "${positionals.join(' ')}"; the command is "create"`);
    const input = checkInput(values);
    return await withDb(db, (d) => createWithKey(d, input, io));
  } catch (e) {
    if (!(e instanceof BadInput || e instanceof DomainError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) throw e;
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
}

function checkInput(v: Partial<Record<keyof typeof OPTIONS, string | boolean>>) {
  const missing = (['name', 'email', 'password'] as const).filter((f) => v[f] === undefined).map((f) => `--${f}`);
  if (missing.length) throw new BadInput(`Missing ${missing.join(', ')}`);
  const org = signUpSchema.safeParse({ organisation: v.name, name: v['admin-name'] ?? 'Admin', email: v.email, password: v.password, base_currency: v.currency });
  const key = keyOptions.safeParse({ role: v.role, keyName: v['key-name'] });
  const problems = [
    ...(org.success ? [] : org.error.issues.map((i) => `${FLAG_OF[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`)),
    ...(key.success ? [] : key.error.issues.map((i) => `--${i.path[0] === 'keyName' ? 'key-name' : 'role'}: ${i.message}`)),
  ];
  if (problems.length) throw new BadInput(problems.join('\n'));
  return { ...org.data!, ...key.data! };
}

async function createWithKey(db: Db, input: ReturnType<typeof checkInput>, io: Io): Promise<number> {
  const admin = await createOrganisation(db, { organisation: input.organisation, name: input.name, email: input.email, password: input.password, baseCurrency: input.base_currency });
  const key = await createApiKey(db, admin.tenantId, admin.userId, input.keyName, input.role);
  io.err(`Created ${input.organisation} (${admin.tenantId}): admin ${input.email}; API key "${input.keyName}" (${input.role}) follows, shown this once.`);
  io.out(key.key);
  return 0;
}

async function withDb<T>(given: Db | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  if (given) return fn(given);
  const config = loadConfig();
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await db.migrate.latest();
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) })
    .then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
}
