import { Express } from 'express';
import { openTestDb, TestDb } from '../../support/db';
import { testApp, givenApiClient } from '../../support/app';
import { givenPart } from '../../support/builders';
import { expectReconciled, line } from '../../support/ledger-checks';
import { startFakeXero, FakeXero } from '../../support/fake-xero/server';
import { FakeOrganisation } from '../../support/fake-xero/state';
import { connectToFake, fakeXeroConfig, giveMappedAccounts } from '../../support/fake-xero/connect';
import { csrfOf, signIn } from '../../http/support/session';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { drainOutbox } from '../../../server/jobs/outbox-worker';
import { createRegistry } from '../../../server/connectors/registry';
import { forgetLimits } from '../../../server/connectors/xero/limits';
import { xeroConnection } from '../../../server/connectors/xero/connections';
import { createSuggestedAccounts, pullAccounts } from '../../../server/connectors/xero/sync/accounts';
import { syncConnection } from '../../../server/connectors/xero/sync/run';
import { listWarnings } from '../../../server/connectors/xero/sync/warnings';
import { xeroDeps } from '../../../server/connectors/xero/wiring';
import { Actor } from '../../../server/services/stock/types';

// Xero as real organisations have it: 630 Inventory of Xero's INVENTORY type in every new chart,
// journals refused on it, on archived accounts and on deleted ones. A refused journal is put right
// by fixing the mapping and sending it again: on the accounts mapped now, once in Xero, with the
// ledger untouched and every send recorded.
jest.setTimeout(120_000);

let t: TestDb;
let fake: FakeXero;
let app: Express;
const config = () => fakeXeroConfig(fake);
beforeAll(async () => {
  t = await openTestDb();
  fake = await startFakeXero({ minuteLimit: 1000 });
  app = testApp(t.db, config());
  forgetLimits();
});
afterAll(async () => {
  await fake.stop();
  await t.close();
});

const drain = () => drainOutbox(t.db, createRegistry(t.db, config()), { publicUrl: 'http://perpetua.test' });
const pullChart = async (actor: Actor) => pullAccounts(xeroDeps(t.db, config()), (await xeroConnection(t.db, actor.tenantId))!);
const mapped = async (actor: Actor, role: string) => t.db('account_mappings').where({ tenant_id: actor.tenantId, role }).first('account_code', 'account_name');
const posting = async (journalId: string) => t.db('outbox').where({ journal_id: journalId }).first('status', 'last_error', 'send_key');
const keysSent = (org: FakeOrganisation) => fake.calls.filter((c) => c.path === '/ManualJournals' && c.tenant === org.tenantId).map((c) => c.idempotencyKey);

/** A connected organisation (API client, admin) and a receipt of 2 × 12.50 waiting to post. */
async function connectedWithReceipt(name: string, prepare: (org: FakeOrganisation, actor: Actor) => Promise<void>) {
  const c = await givenApiClient(t.db, app);
  const org = fake.organisation(name);
  await connectToFake(t.db, fake, c.actor, org);
  await prepare(org, c.actor);
  await givenPart(t.db, c.actor, 'BRG-1');
  const r = await postStockEvent(t.db, c.actor, { kind: 'receipt', occurredOn: '2026-12-01', reference: 'PO-1', lines: [line('BRG-1', 'MAIN', '2', '12.50')] });
  return { c, org, journalId: r.body.journal!.id as string };
}

describe("Xero's own chart of accounts", () => {
  it('moves raw materials off 630 Inventory at connection, says why, creates a current asset for it, and the first receipt posts', async () => {
    const c = await givenApiClient(t.db, app);
    const org = fake.organisation('New Chart Ltd');
    await connectToFake(t.db, fake, c.actor, org);
    expect(await mapped(c.actor, 'raw_materials')).toEqual({ account_code: '630', account_name: 'Raw Materials Stock' });

    expect(await syncConnection(xeroDeps(t.db, config()), c.actor.tenantId)).toEqual({ status: 'done' });
    expect(await mapped(c.actor, 'raw_materials')).toEqual({ account_code: '633', account_name: 'Raw Materials Stock' });
    const connection = (await xeroConnection(t.db, c.actor.tenantId))!;
    const [warning] = (await listWarnings(t.db, connection)).filter((w) => w.code === 'account_mapping');
    expect(warning.message).toMatch(/^Raw materials stock was mapped to 630 Inventory, an Inventory-type account that Xero refuses in manual journals; it is now mapped to 633 Raw Materials Stock/);
    const settings = await signIn(app, (await t.db('users').where({ id: c.actor.userId }).first('email')).email, 'correct horse battery');
    expect((await settings.get('/settings/xero').expect(200)).text).toContain('it is now mapped to 633 Raw Materials Stock (a current asset)');

    const made = await createSuggestedAccounts(xeroDeps(t.db, config()), c.actor.tenantId);
    expect(made.created).toContainEqual({ role: 'raw_materials', code: '633', name: 'Raw Materials Stock', type: 'CURRENT' });
    expect(made.notes).toEqual([expect.stringMatching(/^630 Inventory is left alone: it is Xero's Inventory type, which Xero refuses in manual journals, so stock is kept on 633 Raw Materials Stock/)]);
    expect(org.accountByCode('633')).toMatchObject({ Type: 'CURRENT', Status: 'ACTIVE' });
    expect(org.accountByCode('630')).toMatchObject({ Type: 'INVENTORY' });
    expect((await listWarnings(t.db, connection)).filter((w) => w.code === 'account_mapping')).toEqual([]);

    await givenPart(t.db, c.actor, 'BRG-0');
    const r = await postStockEvent(t.db, c.actor, { kind: 'receipt', occurredOn: '2026-12-01', reference: 'PO-0', lines: [line('BRG-0', 'MAIN', '4', '2.50')] });
    await drain();
    expect(await posting(r.body.journal!.id)).toMatchObject({ status: 'done', last_error: null });
    expect(fake.journalsIn(org).map((j) => j.journal.JournalLines.map((l: any) => [l.AccountCode, l.LineAmount]))).toEqual([[['633', 10], ['815', -10]]]);
  });

  it('refuses to map a role to an Inventory-type or archived account of the chart, saying why, on the API and the page', async () => {
    const c = await givenApiClient(t.db, app);
    const org = fake.organisation('Mapping Rules Ltd');
    await connectToFake(t.db, fake, c.actor, org);
    org.addAccount('477', 'Old stock', 'CURRENT');
    org.archiveAccount('477');
    await pullChart(c.actor);

    const res = await c.patch('/api/v1/settings', { accounts: { finished_goods: { code: '630', name: 'Inventory' } } }).expect(422);
    expect(res.body.error.fields).toEqual([{ field: 'accounts.finished_goods.code', message: expect.stringMatching(/^Finished goods stock: 630 Inventory is an Inventory-type account in Xero, which Xero keeps for its own tracked items and refuses in manual journals/) }]);
    const archived = await c.patch('/api/v1/settings', { accounts: { wip: { code: '477', name: 'Old stock' } } }).expect(422);
    expect(archived.body.error.message).toBe('Work in progress: 477 Old stock is archived in Xero; restore it there or map Work in progress to another account');
    expect(await mapped(c.actor, 'finished_goods')).toEqual({ account_code: '632', account_name: 'Finished Goods Stock' });

    const agent = await signIn(app, (await t.db('users').where({ id: c.actor.userId }).first('email')).email, 'correct horse battery');
    const page = (await agent.get('/settings').expect(200)).text;
    expect(page).toContain('Xero keeps its Inventory-type accounts (such as its own 630 Inventory) for tracked items');
    expect(page).not.toMatch(/<option value="630">/);
    const form = { _csrf: csrfOf(page), 'accounts[finished_goods][code]': '630', 'accounts[finished_goods][name]': 'Inventory' };
    const refused = await agent.post('/settings').type('form').send(form).expect(422);
    expect(refused.text).toMatch(/<tr id="account-finished_goods" class="has-error">[\s\S]*?<small class="error" role="alert">Finished goods stock: 630 Inventory is an Inventory-type account/);
  });
});

describe('a refused journal is put right, not left dead', () => {
  it('sends a journal refused on 630 Inventory again on the account mapped now: once in Xero, ledger untouched, each send recorded', async () => {
    // An organisation connected before the fix: its raw materials still on Xero's 630 Inventory.
    const { c, org, journalId } = await connectedWithReceipt('Old Mapping Ltd', async (o, actor) => {
      await giveMappedAccounts(t.db, actor, o);
      o.deleteAccount('633');
      await t.db('account_mappings').where({ tenant_id: actor.tenantId, role: 'raw_materials' }).update({ account_code: '630', account_name: 'Inventory' });
    });
    await drain();
    expect(await posting(journalId)).toMatchObject({ status: 'dead', send_key: null, last_error: 'Xero refused the journal: You cannot save this transaction using an inventory account type' });

    // The hourly pull of the chart moves raw materials off 630 (to 633, not yet in Xero's chart).
    await pullChart(c.actor);
    expect(await mapped(c.actor, 'raw_materials')).toEqual({ account_code: '633', account_name: 'Raw Materials Stock' });
    const listed = await c.get('/api/v1/exceptions/journals').expect(200);
    expect(listed.body.journals).toEqual([expect.objectContaining({
      id: journalId, reason: 'Xero refused it because account 630 (Raw materials stock) is an Inventory-type account, which Xero keeps for its own tracked items.',
      fix_path: '/settings#account-mapping', roles: ['raw_materials'],
      last_sent: [{ role: 'raw_materials', code: '630', name: 'Inventory', amount: '25.00' }, { role: 'grni', code: '815', name: 'Goods Received Not Invoiced', amount: '-25.00' }],
    })]);
    // It cannot be mapped back: Xero would refuse it again.
    await c.patch('/api/v1/settings', { accounts: { raw_materials: { code: '630', name: 'Inventory' } } }).expect(422);
    expect((await createSuggestedAccounts(xeroDeps(t.db, config()), c.actor.tenantId)).created).toEqual([{ role: 'raw_materials', code: '633', name: 'Raw Materials Stock', type: 'CURRENT' }]);
    const again = await c.post(`/api/v1/journals/${journalId}/send-again`).expect(200);
    expect(again.body.posting.status).toBe('pending');
    await drain();

    expect(await posting(journalId)).toMatchObject({ status: 'done', last_error: null });
    expect(fake.journalsIn(org)).toHaveLength(1);
    expect(fake.journalsIn(org)[0].journal.JournalLines.map((l: any) => [l.AccountCode, l.LineAmount])).toEqual([['633', 25], ['815', -25]]);
    const [refusedKey, postedKey] = keysSent(org);
    expect(postedKey).not.toBe(refusedKey);
    // The ledger keeps the journal as it was made; the sends say what went where.
    expect(await t.db('journal_lines').where({ journal_id: journalId }).orderBy('line_no').pluck('account_code')).toEqual(['630', '815']);
    const detail = (await c.get(`/api/v1/journals/${journalId}`).expect(200)).body;
    expect(detail.sends.map((s: any) => [s.outcome, s.idempotency_key, s.lines.map((l: any) => l.account_code)])).toEqual([
      ['posted', postedKey, ['633', '815']],
      ['refused', refusedKey, ['630', '815']],
    ]);
    expect((await c.get('/api/v1/exceptions/journals').expect(200)).body.journals).toEqual([]);
    await c.post(`/api/v1/journals/${journalId}/send-again`).expect(409);
    await expectReconciled(t.db, c.actor);
  });

  it('puts right a journal refused on an archived account, and one refused on a deleted account', async () => {
    const { c, org, journalId } = await connectedWithReceipt('Tidy Chart Ltd', async (o, actor) => {
      await giveMappedAccounts(t.db, actor, o);
      o.archiveAccount('815');
    });
    await drain();
    expect((await posting(journalId)).last_error).toBe("Xero refused the journal: Account code '815' has been archived, or has been deleted. Each line must use an active account.");
    const [archived] = (await c.get('/api/v1/exceptions/journals').expect(200)).body.journals;
    expect(archived).toMatchObject({ reason: 'Xero refused it because account 815 (Goods received not invoiced) is archived or deleted in Xero.', roles: ['grni'] });
    // Sending it again as things stand would only be refused again.
    await pullChart(c.actor);
    const early = await c.post(`/api/v1/journals/${journalId}/send-again`).expect(409);
    expect(early.body.error.message).toBe(`Journal ${archived.number} would be refused again: `
      + 'Goods received not invoiced: 815 Goods Received Not Invoiced is archived in Xero; '
      + 'restore it there or map Goods received not invoiced to another account. Fix the account mapping (Settings → Account mapping) first');
    org.addAccount('816', 'GRNI', 'CURRLIAB');
    await pullChart(c.actor);
    await c.patch('/api/v1/settings', { accounts: { grni: { code: '816', name: 'GRNI' } } }).expect(200);
    await c.post(`/api/v1/journals/${journalId}/send-again`).expect(200);
    await drain();
    expect(fake.journalsIn(org).map((j) => j.journal.JournalLines.map((l: any) => l.AccountCode))).toEqual([['633', '816']]);

    // Deleted in Xero: the code is unknown there; "Create suggested accounts" makes it again.
    org.deleteAccount('816');
    const r = await postStockEvent(t.db, c.actor, { kind: 'receipt', occurredOn: '2026-12-02', reference: 'PO-2', lines: [line('BRG-1', 'MAIN', '1', '12.50')] });
    await drain();
    const second = r.body.journal!.id as string;
    const [deleted] = (await c.get('/api/v1/exceptions/journals').expect(200)).body.journals;
    expect(deleted).toMatchObject({ id: second, reason: 'Xero refused it because its chart of accounts has no account 816 (Goods received not invoiced).' });
    const made = await createSuggestedAccounts(xeroDeps(t.db, config()), c.actor.tenantId);
    expect(made.created).toEqual([{ role: 'grni', code: '816', name: 'GRNI', type: 'CURRLIAB' }]);
    await c.post(`/api/v1/journals/${second}/send-again`).expect(200);
    await drain();
    expect(await posting(second)).toMatchObject({ status: 'done' });
    expect(fake.journalsIn(org)).toHaveLength(2);
  });

  it('sends a journal that got no answer again exactly as before, under the same key, whatever the mapping says now', async () => {
    const { c, org, journalId } = await connectedWithReceipt('Lost Answer Ltd', async (o, actor) => giveMappedAccounts(t.db, actor, o));
    // Xero's answer is lost (here: an answer that does not list the journal): it may exist there.
    fake.failNext(1, { status: 200, path: /ManualJournals/, body: { Status: 'OK', ManualJournals: [] } });
    await drain();
    const first = await posting(journalId);
    expect(first).toMatchObject({ status: 'failed', send_key: journalId });
    // Out of attempts, as after a long outage; meanwhile someone remaps raw materials.
    await t.db('outbox').where({ journal_id: journalId }).update({ status: 'dead' });
    org.addAccount('640', 'Stock on hand', 'CURRENT');
    await pullChart(c.actor);
    await c.patch('/api/v1/settings', { accounts: { raw_materials: { code: '640', name: 'Stock on hand' } } }).expect(200);
    const [exception] = (await c.get('/api/v1/exceptions/journals').expect(200)).body.journals;
    expect(exception.fix).toMatch(/^Send it again: it goes exactly as it went before, under the same key/);

    await c.post(`/api/v1/journals/${journalId}/send-again`).expect(200);
    await drain();
    expect(await posting(journalId)).toMatchObject({ status: 'done' });
    expect(keysSent(org)).toEqual([journalId, journalId]);
    expect(fake.journalsIn(org).map((j) => j.journal.JournalLines.map((l: any) => l.AccountCode))).toEqual([['633', '815']]);
  });

  it('lists refused journals on the exceptions page with the reason, a link to the mapping, and a Send again button', async () => {
    const { c, org, journalId } = await connectedWithReceipt('Exceptions Page Ltd', async (o, actor) => {
      await giveMappedAccounts(t.db, actor, o);
      o.deleteAccount('815');
    });
    await drain();
    const agent = await signIn(app, (await t.db('users').where({ id: c.actor.userId }).first('email')).email, 'correct horse battery');
    const xeroPage = (await agent.get('/settings/xero').expect(200)).text;
    expect(xeroPage).toMatch(/<a href="\/exceptions" class="error" id="xero-exceptions">1 need attention/);
    const page = (await agent.get('/exceptions').expect(200)).text;
    expect(page).toContain('Xero refused it because its chart of accounts has no account 815 (Goods received not invoiced).');
    expect(page).toContain('<a href="/settings#account-mapping">Open the account mapping</a>');
    expect(page).toContain(`action="/journals/${journalId}/retry"`);

    org.addAccount('815', 'Goods Received Not Invoiced', 'CURRLIAB');
    const sent = await agent.post(`/journals/${journalId}/retry`).type('form').send({ _csrf: csrfOf(page), back: 'exceptions' }).expect(303);
    expect(sent.headers.location).toBe('/exceptions');
    await drain();
    expect((await agent.get('/exceptions').expect(200)).text).toContain('Nothing needs you');
    const journalPage = (await agent.get(`/journals/${journalId}`).expect(200)).text;
    expect(journalPage).toMatch(/<table class="grid" id="journal-sends">[\s\S]*633, 815[\s\S]*posted[\s\S]*633, 815[\s\S]*refused/);
  });
});
