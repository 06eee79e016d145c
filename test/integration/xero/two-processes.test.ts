import { spawn, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { line } from '../../support/ledger-checks';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { drainOutbox } from '../../../server/jobs/outbox-worker';
import { createRegistry } from '../../../server/connectors/registry';
import { forgetLimits } from '../../../server/connectors/xero/limits';
import { startFakeXero, FakeXero } from '../../support/fake-xero/server';
import { connectToFake, fakeXeroConfig, fakeXeroEnv, giveMappedAccounts } from '../../support/fake-xero/connect';

// Two app processes run the outbox worker against one database and one Xero organisation. On
// PostgreSQL they are real processes (`npm start`'s entry point); PGlite cannot be shared between
// processes, so there the two workers are two drain loops in this process. Either way each journal
// must reach Xero exactly once, and the expired access token must be refreshed exactly once (Xero
// rotates refresh tokens: a second refresh with the spent one would disconnect the organisation).
jest.setTimeout(120_000);

let t: TestDb;
let fake: FakeXero;
const children: ChildProcess[] = [];
beforeAll(async () => {
  t = await openTestDb();
  fake = await startFakeXero({ minuteLimit: 1000 });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await fake.stop();
  await t.close();
});

function startAppProcess(port: number): ChildProcess {
  const root = path.join(__dirname, '..', '..', '..');
  const child = spawn(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, ...fakeXeroEnv(fake), DATABASE_URL: t.url!, PORT: String(port), NODE_ENV: 'test', LOG_LEVEL: 'warn', WORKERS: 'on', PUBLIC_URL: 'http://perpetua.test' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

async function until(check: () => Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('posts every journal exactly once and refreshes the expired token once, with two workers against one database', async () => {
  forgetLimits();
  const actor = await givenOrganisation(t.db);
  const org = fake.organisation('Twin Works Ltd');
  await connectToFake(t.db, fake, actor, org);
  await giveMappedAccounts(t.db, actor, org);

  await givenPart(t.db, actor, 'TWIN-1');
  for (let i = 0; i < 40; i++) {
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-20', reference: `R-${i}`, lines: [line('TWIN-1', 'MAIN', '1', `${i + 1}.10`)] });
  }
  // The access token has run out: both workers find it so at once.
  await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ access_expires_at: new Date(Date.now() - 1000) });
  const refreshesBefore = fake.calls.length;

  if (t.kind === 'postgres') {
    startAppProcess(0);
    startAppProcess(0);
  } else {
    const registry = createRegistry(t.db, fakeXeroConfig(fake));
    const worker = () => drainOutbox(t.db, registry, { publicUrl: 'http://perpetua.test' });
    await Promise.all([worker(), worker()]);
  }
  const done = () => t.db('outbox').where({ tenant_id: actor.tenantId, status: 'done' }).count('* as n').first().then((r) => Number(r!.n) === 40);
  await until(done, 90_000);

  const journals = fake.journalsIn(org);
  expect(journals).toHaveLength(40);
  const rows = await t.db('outbox').join('journals', function () { this.on('journals.id', 'outbox.journal_id').andOn('journals.tenant_id', 'outbox.tenant_id'); })
    .where('outbox.tenant_id', actor.tenantId).select('outbox.external_id', 'outbox.connector', 'journals.source_path');
  for (const r of rows) {
    expect(r.connector).toBe('xero');
    expect(journals.find((j) => j.ManualJournalID === r.external_id)!.journal.Url).toBe(`http://perpetua.test${r.source_path}`);
  }
  const connection = await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).first();
  expect(connection.status).toBe('connected');
  expect(fake.tokenRefreshes).toBe(1);
  // Several journals per call: far fewer calls than journals.
  const calls = fake.calls.slice(refreshesBefore).filter((c) => c.path === '/ManualJournals' && c.status === 200);
  expect(calls.length).toBeGreaterThanOrEqual(1);
  expect(calls.length).toBeLessThan(10);
});
