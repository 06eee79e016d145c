import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { drainOutbox } from '../../server/jobs/outbox-worker';
import { defaultRegistry, ConnectorRegistry } from '../../server/connectors/registry';
import { AccountingConnector, PushError } from '../../server/connectors/accounting-connector';
import { offlineConnector } from '../../server/connectors/offline/offline-connector';
import { Actor, JournalView } from '../../server/services/stock/types';
import { dec } from '../../server/domain/decimal';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const publicUrl = 'https://perpetua.example.com';
type Pushed = JournalView & { sourceUrl: string };

/** A connector that records what it was sent; `fail` decides per call whether (and how) to throw. */
function fakeConnector(fail?: (call: number) => Error | null, delayMs = 0) {
  const pushed: Pushed[] = [];
  const connector: AccountingConnector = {
    name: 'fake',
    async pushJournal(_tenantId, journal) {
      const err = fail?.(pushed.length + 1) ?? null;
      pushed.push(journal);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (err) throw err;
      return { externalId: `ext-${journal.number}` };
    },
  };
  return { connector, pushed };
}

/** The fake answers for this organisation only; rows left by other tests go to the offline connector. */
const registryFor = (actor: Actor, connector: AccountingConnector): ConnectorRegistry => ({
  forTenant: async (tenantId) => (tenantId === actor.tenantId ? connector : offlineConnector),
});

async function givenJournals(n: number, opts: Parameters<typeof givenOrganisation>[1] = {}) {
  const actor = await givenOrganisation(t.db, opts);
  await givenPart(t.db, actor, 'OUT-1');
  const journalIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', reference: `PO-${i + 1}`, lines: [line('OUT-1', 'MAIN', '1', `${i + 1}.25`)] });
    journalIds.push(r.body.journal!.id);
  }
  return { actor, journalIds };
}

const outboxRows = (actor: Actor) => t.db('outbox').where({ tenant_id: actor.tenantId }).orderBy('created_at');
const outboxRow = (actor: Actor, journalId: string) => t.db('outbox').where({ tenant_id: actor.tenantId, journal_id: journalId }).first();

describe('outbox', () => {
  it('queues one pending row per journal, in the same transaction as the stock event', async () => {
    const { actor, journalIds } = await givenJournals(2);
    const rows = await outboxRows(actor);
    expect(rows.map((r) => [r.topic, r.status, r.attempts])).toEqual([['journal.post', 'pending', 0], ['journal.post', 'pending', 0]]);
    expect(rows.map((r) => r.journal_id).sort()).toEqual([...journalIds].sort());
    await expectReconciled(t.db, actor);
  });

  it('marks rows done with the offline connector when no accounting system is connected', async () => {
    const { actor, journalIds } = await givenJournals(3);
    const n = await drainOutbox(t.db, defaultRegistry, { publicUrl });
    expect(n).toBeGreaterThanOrEqual(3);
    for (const id of journalIds) {
      expect(await outboxRow(actor, id)).toMatchObject({ status: 'done', connector: 'offline', external_id: `local:${id}`, attempts: 1, last_error: null });
    }
    // Nothing is left to do.
    expect(await drainOutbox(t.db, defaultRegistry, { publicUrl })).toBe(0);
  });

  it('sends the journal lines, narration and a link back to the event', async () => {
    const { actor, journalIds } = await givenJournals(1);
    const fake = fakeConnector();
    await drainOutbox(t.db, registryFor(actor, fake.connector), { publicUrl });
    expect(fake.pushed).toHaveLength(1);
    const sent = fake.pushed[0];
    const event = await t.db('journals').where({ tenant_id: actor.tenantId, id: journalIds[0] }).first('event_id');
    expect(sent).toMatchObject({ id: journalIds[0], date: '2026-11-02', narration: 'Stock receipt PO-1: OUT-1 [Perpetua]', sourceUrl: `${publicUrl}/events/${event.event_id}` });
    expect(sent.lines).toEqual([
      expect.objectContaining({ role: 'raw_materials', account_code: '630', debit: '1.25', credit: '0.00' }),
      expect.objectContaining({ role: 'grni', account_code: '815', debit: '0.00', credit: '1.25' }),
    ]);
    expect(await outboxRow(actor, journalIds[0])).toMatchObject({ status: 'done', connector: 'fake', external_id: `ext-${sent.number}` });
  });

  it('leaves a row failed with its attempt and error after a retryable push error, and retries it when due', async () => {
    const { actor, journalIds } = await givenJournals(1);
    const fake = fakeConnector((call) => (call === 1 ? new PushError('Xero is having a moment (503)', true) : null));
    const registry = registryFor(actor, fake.connector);
    await drainOutbox(t.db, registry, { publicUrl });

    const failed = await outboxRow(actor, journalIds[0]);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_error: 'Xero is having a moment (503)', connector: 'fake', external_id: null });
    const [{ waits }] = (await t.db.raw('select next_attempt_at > now() as waits from outbox where tenant_id = ? and id = ?', [actor.tenantId, failed.id])).rows;
    expect(waits).toBe(true);

    // Not due yet: a second round leaves it alone.
    await drainOutbox(t.db, registry, { publicUrl });
    expect(fake.pushed).toHaveLength(1);

    await t.db('outbox').where({ tenant_id: actor.tenantId, id: failed.id }).update({ next_attempt_at: t.db.raw("now() - interval '1 second'") });
    await drainOutbox(t.db, registry, { publicUrl });
    expect(fake.pushed).toHaveLength(2);
    expect(await outboxRow(actor, journalIds[0])).toMatchObject({ status: 'done', attempts: 2, last_error: null });
  });

  it('honours the wait a connector asks for (a rate limit)', async () => {
    const { actor, journalIds } = await givenJournals(1);
    const fake = fakeConnector(() => new PushError('429 Too Many Requests', true, 3_600_000));
    await drainOutbox(t.db, registryFor(actor, fake.connector), { publicUrl });
    const row = await outboxRow(actor, journalIds[0]);
    const [{ minutes }] = (await t.db.raw('select extract(epoch from (next_attempt_at - now())) / 60 as minutes from outbox where tenant_id = ? and id = ?', [actor.tenantId, row.id])).rows;
    expect(Number(minutes)).toBeGreaterThan(58);
    expect(Number(minutes)).toBeLessThanOrEqual(60);
    expect(row.status).toBe('failed');
  });

  it('treats an unexpected error as retryable', async () => {
    const { actor, journalIds } = await givenJournals(1);
    const fake = fakeConnector(() => new Error('socket hang up'));
    await drainOutbox(t.db, registryFor(actor, fake.connector), { publicUrl });
    expect(await outboxRow(actor, journalIds[0])).toMatchObject({ status: 'failed', attempts: 1, last_error: 'socket hang up' });
  });

  it('dead-letters a row after a non-retryable push error and never sends it again', async () => {
    const { actor, journalIds } = await givenJournals(1);
    const fake = fakeConnector(() => new PushError('Account 630 is archived', false));
    const registry = registryFor(actor, fake.connector);
    await drainOutbox(t.db, registry, { publicUrl });
    expect(await outboxRow(actor, journalIds[0])).toMatchObject({ status: 'dead', attempts: 1, last_error: 'Account 630 is archived' });

    await t.db('outbox').where({ tenant_id: actor.tenantId }).update({ next_attempt_at: t.db.raw("now() - interval '1 day'") });
    await drainOutbox(t.db, registry, { publicUrl });
    expect(fake.pushed).toHaveLength(1);
  });

  it('dead-letters a row on its tenth failed attempt', async () => {
    const { actor, journalIds } = await givenJournals(1);
    await t.db('outbox').where({ tenant_id: actor.tenantId }).update({ attempts: 9, status: 'failed' });
    const fake = fakeConnector(() => new PushError('still down', true));
    await drainOutbox(t.db, registryFor(actor, fake.connector), { publicUrl });
    expect(await outboxRow(actor, journalIds[0])).toMatchObject({ status: 'dead', attempts: 10, last_error: 'still down' });
  });

  it('cuts a long error to 2000 characters', async () => {
    const { actor, journalIds } = await givenJournals(1);
    const fake = fakeConnector(() => new PushError('x'.repeat(5000), true));
    await drainOutbox(t.db, registryFor(actor, fake.connector), { publicUrl });
    expect((await outboxRow(actor, journalIds[0])).last_error).toHaveLength(2000);
  });

  it('posts each journal exactly once when two workers drain at the same time', async () => {
    const { actor, journalIds } = await givenJournals(12);
    const fake = fakeConnector(undefined, 5);
    const registry = registryFor(actor, fake.connector);
    const [a, b] = await Promise.all([drainOutbox(t.db, registry, { publicUrl }), drainOutbox(t.db, registry, { publicUrl })]);
    expect(a + b).toBeGreaterThanOrEqual(12);
    const counts = new Map<string, number>();
    for (const j of fake.pushed) counts.set(j.id, (counts.get(j.id) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...journalIds].sort());
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    const rows = await outboxRows(actor);
    expect(rows.every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
    await expectReconciled(t.db, actor);
  });
});

describe('a connector that cannot be built', () => {
  it('records the failure on the row (failed, attempt counted, last_error) instead of stopping the worker', async () => {
    await drainOutbox(t.db, defaultRegistry, { publicUrl: 'http://localhost:3000' }); // earlier tests' rows out of the way
    // Rows earlier tests left failing (due again seconds later) must not fall due mid-test on a slow machine.
    await t.db('outbox').whereNot('status', 'done').update({ next_attempt_at: t.db.raw("now() + interval '1 day'") });
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REG-1');
    await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: '2026-11-01', lines: [{ part: 'REG-1', location: 'MAIN', quantity: dec(1), unitCost: dec(1) }] });
    const broken = { forTenant: async () => { throw new Error('Xero connection needs reconnecting'); } };
    await expect(drainOutbox(t.db, broken, { publicUrl: 'http://localhost:3000' })).resolves.toBe(1);
    const row = await t.db('outbox').where({ tenant_id: actor.tenantId }).first();
    expect([row.status, row.attempts, row.last_error, row.connector]).toEqual(['failed', 1, 'Xero connection needs reconnecting', null]);
  });
});
