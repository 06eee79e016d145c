import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line, move, onHand } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { reverseStockEvent } from '../../server/services/stock/reverse-event';
import { hashRequest } from '../../server/services/idempotency';
import { drainOutbox } from '../../server/jobs/outbox-worker';
import { defaultRegistry } from '../../server/connectors/registry';
import { Actor } from '../../server/services/stock/types';

// Rolling the schema back and forward runs every migration several times.
jest.setTimeout(120_000);

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const TABLES = ['tenants', 'users', 'sessions', 'api_keys', 'app_settings', 'locations', 'parts', 'stock_events', 'stock_movements', 'cost_layers', 'layer_consumptions', 'stock_balances', 'part_valuations', 'serials', 'account_mappings', 'journals', 'journal_lines', 'outbox', 'idempotency_keys'];

async function existingTables(): Promise<string[]> {
  const rows = await t.db('pg_tables').where({ schemaname: 'public' }).whereIn('tablename', TABLES).pluck('tablename');
  return rows.sort();
}

async function ledgerFunctions(): Promise<string[]> {
  return (await t.db('pg_proc').whereIn('proname', ['forbid_ledger_change', 'check_journal_balanced']).pluck('proname')).sort();
}

/** A little of everything: tracked parts, every event kind, a reversal, an idempotency key and a drained outbox. */
async function seed(): Promise<Actor> {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'MIG-1');
  await givenPart(t.db, actor, 'MIG-LOT', { tracking: 'lot' });
  await givenPart(t.db, actor, 'MIG-SER', { tracking: 'serial' });
  await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: '2026-11-01', lines: [line('MIG-1', 'MAIN', '10', '2'), line('MIG-LOT', 'MAIN', '5', '3', { lot: 'L1' })] });
  const cmd = { kind: 'receipt' as const, occurredOn: '2026-11-02', lines: [line('MIG-SER', 'MAIN', '2', '40', { serials: ['S1', 'S2'] })] };
  await postStockEvent(t.db, actor, cmd, { key: 'seed-receipt', requestHash: hashRequest([cmd]) });
  const out = await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [line('MIG-1', 'MAIN', '3')] });
  await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [move('MIG-SER', 'MAIN', 'B', '1', { serials: ['S1'] })] });
  await postStockEvent(t.db, actor, { kind: 'adjustment', occurredOn: '2026-11-04', lines: [line('MIG-LOT', 'MAIN', '-1', undefined, { lot: 'L1' })] });
  await reverseStockEvent(t.db, actor, out.body.id, '2026-11-05', 'seed');
  await drainOutbox(t.db, defaultRegistry, { publicUrl: 'http://localhost:3000' });
  await expectReconciled(t.db, actor);
  return actor;
}

async function expectSchemaWorks(): Promise<void> {
  expect(await existingTables()).toEqual([...TABLES].sort());
  expect(await ledgerFunctions()).toEqual(['check_journal_balanced', 'forbid_ledger_change']);
  const actor = await seed();
  expect(await onHand(t.db, actor, 'MIG-1')).toBe('10');
  // The triggers came back with the tables.
  await expect(t.db('stock_movements').where({ tenant_id: actor.tenantId }).del()).rejects.toThrow(/append-only/);
}

/** Names of the applied migrations, oldest first. */
async function appliedNames(): Promise<string[]> {
  const [completed] = await t.db.migrate.list();
  return completed.map((m: { name: string }) => m.name);
}

describe('migrations', () => {
  it('rolls every migration back on a database holding data, then migrates to latest again', async () => {
    const all = await appliedNames();
    expect(all.length).toBeGreaterThanOrEqual(5);
    await seed();
    const [, rolledBack] = await t.db.migrate.rollback(undefined, true);
    expect([...rolledBack].sort()).toEqual(all);
    expect(await existingTables()).toEqual([]);
    expect(await ledgerFunctions()).toEqual([]);
    expect(await t.db.migrate.currentVersion()).toBe('none');

    const [, applied] = await t.db.migrate.latest();
    expect(applied).toEqual(all);
    expect(await appliedNames()).toEqual(all);
    expect((await t.db.migrate.list())[1]).toEqual([]);
    await expectSchemaWorks();
  });

  it('steps down one migration at a time with data present, and back up', async () => {
    const all = await appliedNames();
    const version = (name: string) => name.slice(0, 14);
    await seed();
    const versions: string[] = [];
    for (let i = 0; i < all.length; i++) {
      await t.db.migrate.down();
      versions.push(await t.db.migrate.currentVersion());
    }
    expect(versions).toEqual([...all.slice(0, -1).reverse().map(version), 'none']);
    expect(await existingTables()).toEqual([]);

    for (let i = 0; i < all.length; i++) await t.db.migrate.up();
    expect(await t.db.migrate.currentVersion()).toBe(version(all[all.length - 1]));
    await expectSchemaWorks();
  });
});
