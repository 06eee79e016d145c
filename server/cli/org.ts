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

// The set-up page's field names (and the key's), as flags.
const FLAG_OF: Record<string, string> = {
  organisation: '--name', name: '--admin-name', email: '--email', password: '--password', base_currency: '--currency',
  role: '--role', key_name: '--key-name',
};
const keySchema = z.object({
  role: z.enum(ROLES, `must be one of ${ROLES.join(', ')}`).default('admin'),
  key_name: z.string().trim().min(1, 'must not be empty').max(100).default('automation'),
});

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
    const command = positionals.join(' ');
    if (command !== 'create') throw new BadInput(`Unknown command "${command}"; the command is "create"`);
    const input = checkInput(values);
    return await withDb(db, (d) => createWithKey(d, input, io));
  } catch (e) {
    const badArgs = (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!(e instanceof BadInput || e instanceof DomainError || badArgs)) throw e;
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
}

function checkInput(v: Partial<Record<keyof typeof OPTIONS, string | boolean>>) {
  const missing = (['name', 'email', 'password'] as const).filter((f) => v[f] === undefined).map((f) => `--${f}`);
  if (missing.length) throw new BadInput(`Missing ${missing.join(', ')}`);
  const org = signUpSchema.safeParse({
    organisation: v.name, name: v['admin-name'] ?? 'Admin', email: v.email, password: v.password,
    base_currency: v.currency,
  });
  const key = keySchema.safeParse({ role: v.role, key_name: v['key-name'] });
  const issues = [...(org.error?.issues ?? []), ...(key.error?.issues ?? [])];
  if (issues.length) throw new BadInput(issues.map((i) => `${FLAG_OF[String(i.path[0])]}: ${i.message}`).join('\n'));
  return { ...org.data!, ...key.data! };
}

async function createWithKey(db: Db, input: ReturnType<typeof checkInput>, io: Io): Promise<number> {
  const { organisation, name, email, password } = input;
  const baseCurrency = input.base_currency;
  const admin = await createOrganisation(db, { organisation, name, email, password, baseCurrency });
  const key = await createApiKey(db, admin.tenantId, admin.userId, input.key_name, input.role);
  io.err(`Created ${organisation} (${admin.tenantId}): admin ${email}; `
    + `API key "${input.key_name}" (${input.role}) follows, shown this once.`);
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
