import path from 'node:path';
import { spawn } from 'node:child_process';
import { openTestDb, TestDb } from '../../support/db';
import { main } from '../../../server/cli/org';
import { authenticateApiKey } from '../../../server/services/auth/accounts';
import { signIn } from '../../../server/services/auth/sign-in';

type Run = { code: number; out: string; err: string };

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); }, 60_000);
afterAll(async () => { await t.close(); });

/** `npm run org -- <args>`: a real process on PostgreSQL; on PGlite (one process) its main in this one. */
async function org(...args: string[]): Promise<Run> {
  if (t.kind === 'pglite') {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, t.db);
    return { code, out: out.map((l) => `${l}\n`).join(''), err: err.map((l) => `${l}\n`).join('') };
  }
  const root = path.join(__dirname, '..', '..', '..');
  const child = spawn(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'server/cli/org.ts', ...args], {
    cwd: root, env: { ...process.env, DATABASE_URL: t.url!, NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  return { code, out, err };
}

const PASSWORD = 'tractor beam 42';

describe('npm run org -- create', () => {
  it('creates the organisation, its admin and an API key, printing only the key on standard output', async () => {
    const run = await org('create', '--name', 'Acme Pumps', '--email', 'ops@acme.test', '--password', PASSWORD, '--currency', 'eur', '--role', 'operations', '--key-name', 'MRP sync');
    expect(run).toMatchObject({ code: 0, out: expect.stringMatching(/^pk_[0-9a-f]{12}_[A-Za-z0-9_-]+\n$/) });
    const key = run.out.trim();
    expect(run.err).toContain('Created Acme Pumps');
    expect(run.err).not.toContain(PASSWORD);
    expect(run.err).not.toContain(key);

    const tenant = await t.db('tenants').where({ name: 'Acme Pumps' }).first('id', 'base_currency');
    expect(tenant.base_currency).toBe('EUR');
    expect(await t.db('users').where({ tenant_id: tenant.id }).select('email', 'name', 'role')).toEqual([{ email: 'ops@acme.test', name: 'Admin', role: 'admin' }]);
    expect(await t.db('api_keys').where({ tenant_id: tenant.id }).select('name', 'role')).toEqual([{ name: 'MRP sync', role: 'operations' }]);
    expect(await authenticateApiKey(t.db, key)).toMatchObject({ tenantId: tenant.id, role: 'operations' });
    const admin = await signIn(t.db, { email: 'ops@acme.test', password: PASSWORD, address: '127.0.0.1', now: new Date() });
    expect(admin).toMatchObject({ tenantId: tenant.id, role: 'admin' });
  }, 60_000);

  it('refuses bad input with exit code 1, naming each flag in plain words, and creates nothing', async () => {
    const before = await t.db('tenants').count<{ n: number }[]>('* as n');
    const run = await org('create', '--name', ' ', '--email', 'not-an-email', '--password', 'short', '--currency', 'pounds', '--role', 'owner');
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    for (const problem of ['--name: organisation name is required', '--email: is not an email address', '--password: must be at least 10 characters',
      '--currency: must be a three-letter currency code such as GBP', '--role: must be one of admin, operations, bookkeeper']) {
      expect(run.err).toContain(problem);
    }
    expect(run.err).not.toContain('short');
    expect(await t.db('tenants').count<{ n: number }[]>('* as n')).toEqual(before);
  }, 60_000);

  it.each([
    [['create', '--name', 'Acme'], 'Missing --email, --password'],
    [['create', '--name', 'Acme', '--email', 'ops@acme.test', '--password', PASSWORD], 'A user with email ops@acme.test already exists'],
    [['delete', '--name', 'Acme'], 'Unknown command "delete"'],
    [['create', '--colour', 'red'], "Unknown option '--colour'"],
  ])('refuses %j with exit code 1: %s', async (args, message) => {
    const run = await org(...args);
    expect(run).toMatchObject({ code: 1, out: '' });
    expect(run.err).toContain(message);
  }, 60_000);

  it('prints its usage with --help', async () => {
    const run = await org('--help');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Usage: npm run org -- create --name <organisation>');
  }, 60_000);
});
