import nock from 'nock';
import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { line } from '../../support/ledger-checks';
import { testApp } from '../../support/app';
import { csrfOf, signIn } from '../../http/support/session';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { drainOutbox } from '../../../server/jobs/outbox-worker';
import { createRegistry, ConnectorRegistry } from '../../../server/connectors/registry';
import { resumeWaitingPostings } from '../../../server/connectors/xero/connections';
import { Actor } from '../../../server/services/stock/types';
import { givenXeroConnection, IDENTITY_HOST, tokenSet, validationException, xeroConfig, xeroDouble, XERO_HOST } from './xero-double';

let t: TestDb;
let registry: ConnectorRegistry;
beforeAll(async () => {
  t = await openTestDb();
  registry = createRegistry(t.db, xeroConfig);
});
afterAll(async () => { await t.close(); });
afterEach(() => { nock.cleanAll(); });

const publicUrl = 'https://perpetua.example.com';
// One journal per call, as when journals arrive one at a time; the batch tests below send several.
const drain = () => drainOutbox(t.db, registry, { publicUrl, journalsPerCall: 1 });
const drainBatches = () => drainOutbox(t.db, registry, { publicUrl });

async function givenJournals(n: number, date = '2026-11-02') {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'XP-1');
  const journalIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: date, reference: `PO-${i + 1}`, lines: [line('XP-1', 'MAIN', '1', `${i + 1}.25`)] });
    journalIds.push(r.body.journal!.id);
  }
  return { actor, journalIds };
}

const outboxRow = (actor: Actor, journalId: string) => t.db('outbox').where({ tenant_id: actor.tenantId, journal_id: journalId }).first();
// Time passes: the rows fall due, and so does the organisation's next call (a probe after an outage).
async function makeDue(actor: Actor) {
  await t.db('posting_gates').where({ tenant_id: actor.tenantId }).update({ next_call_at: t.db.raw("now() - interval '1 second'") });
  await t.db('outbox').where({ tenant_id: actor.tenantId }).update({ next_attempt_at: t.db.raw("now() - interval '1 second'") });
}
async function secondsUntilDue(actor: Actor, journalId: string): Promise<number> {
  const { rows } = await t.db.raw('select extract(epoch from (next_attempt_at - now())) as s from outbox where tenant_id = ? and journal_id = ?', [actor.tenantId, journalId]);
  return Number(rows[0].s);
}

describe('posting journals to Xero', () => {
  it('posts a journal as a POSTED manual journal, keyed by the journal id, with signed lines and a link back', async () => {
    const xero = xeroDouble();
    const { actor, journalIds: [id] } = await givenJournals(1);
    const { xeroTenantId } = await givenXeroConnection(t.db, actor, { accessToken: 'access-now' });
    const journal = await t.db('journals').where({ tenant_id: actor.tenantId, id }).first();

    await drain();

    expect(xero.received).toHaveLength(1);
    const [call] = xero.received;
    expect(call).toMatchObject({ xeroTenantId, idempotencyKey: id, authorization: 'Bearer access-now' });
    expect(call.body).toEqual({
      ManualJournals: [{
        Narration: journal.narration,
        Date: '2026-11-02',
        Status: 'POSTED',
        LineAmountTypes: 'NoTax',
        Url: `${publicUrl}${journal.source_path}`,
        ShowOnCashBasisReports: false,
        JournalLines: [
          { LineAmount: 1.25, AccountCode: '630', Description: journal.narration },
          { LineAmount: -1.25, AccountCode: '815', Description: journal.narration },
        ],
      }],
    });
    const created = xero.created.get(`${xeroTenantId}/${id}`)!;
    expect(call.summarizeErrors).toBe('false');
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'done', connector: 'xero', external_id: created.ids[0], attempts: 1, last_error: null });
  });

  it('re-dates a journal inside a lock date to the first open day, after the stricter of the two locks, and says so', async () => {
    const xero = xeroDouble();
    const { actor, journalIds: [id] } = await givenJournals(1, '2026-11-02');
    await givenXeroConnection(t.db, actor, { periodLockDate: '2026-11-05', endOfYearLockDate: '2026-10-31' });
    await drain();
    const sent = xero.postsFor(id)[0].body.ManualJournals[0];
    expect(sent.Date).toBe('2026-11-06');
    expect(sent.Narration).toMatch(/ \(re-dated from 2026-11-02: period locked\)$/);
    expect((await outboxRow(actor, id)).status).toBe('done');
  });

  it('keeps the date of a journal after both lock dates', async () => {
    const xero = xeroDouble();
    const { actor, journalIds: [id] } = await givenJournals(1, '2026-11-02');
    await givenXeroConnection(t.db, actor, { periodLockDate: '2026-10-31', endOfYearLockDate: '2026-03-31' });
    await drain();
    expect(xero.postsFor(id)[0].body.ManualJournals[0]).toMatchObject({ Date: '2026-11-02', Narration: expect.not.stringContaining('re-dated') });
  });

  it('waits as long as a 429 says (not counted as an attempt), holds back the next journal without calling, then posts each exactly once', async () => {
    const xero = xeroDouble();
    xero.script.push({ status: 429, body: '', headers: { 'retry-after': '1', 'x-rate-limit-problem': 'minute' } });
    const { actor, journalIds } = await givenJournals(2);
    await givenXeroConnection(t.db, actor);

    await drain();
    expect(xero.received).toHaveLength(1);
    const first = await outboxRow(actor, journalIds[0]);
    expect(first).toMatchObject({ status: 'failed', attempts: 0, last_error: 'Xero rate limit reached (minute)' });
    expect(await secondsUntilDue(actor, journalIds[0])).toBeLessThanOrEqual(1);
    expect(await outboxRow(actor, journalIds[1])).toMatchObject({ status: 'failed', attempts: 0, last_error: "Waiting for Xero's rate limit" });

    await new Promise((r) => setTimeout(r, 1100));
    await makeDue(actor);
    await drain();
    for (const id of journalIds) {
      expect((await outboxRow(actor, id)).status).toBe('done');
      expect(xero.created.has(`${xero.received[0].xeroTenantId}/${id}`)).toBe(true);
    }
    expect(xero.postsFor(journalIds[0])).toHaveLength(2);
    expect(xero.postsFor(journalIds[1])).toHaveLength(1);
    expect(xero.created.size).toBe(2);
  });

  it('pauses for a minute when X-MinLimit-Remaining reaches 0', async () => {
    const xero = xeroDouble();
    const { actor, journalIds } = await givenJournals(2);
    const { xeroTenantId } = await givenXeroConnection(t.db, actor);
    // The first call succeeds but uses up the minute's allowance.
    xero.script.push({ status: 200, body: { Id: 'x', Status: 'OK', ManualJournals: [{ ManualJournalID: 'mj-1', Narration: 'n', Status: 'POSTED' }] }, headers: { 'x-minlimit-remaining': '0' } });
    await drain();
    expect(xero.received).toHaveLength(1);
    expect(xero.received[0].xeroTenantId).toBe(xeroTenantId);
    expect(await outboxRow(actor, journalIds[0])).toMatchObject({ status: 'done', external_id: 'mj-1' });
    expect(await outboxRow(actor, journalIds[1])).toMatchObject({ status: 'failed', last_error: "Waiting for Xero's rate limit" });
    const wait = await secondsUntilDue(actor, journalIds[1]);
    expect(wait).toBeGreaterThan(55);
    expect(wait).toBeLessThanOrEqual(60);
  });

  it('waits out a 503 and a dropped connection without using up attempts, then posts once', async () => {
    const xero = xeroDouble();
    xero.script.push({ status: 503, body: 'Service Unavailable' });
    const { actor, journalIds: [id] } = await givenJournals(1);
    await givenXeroConnection(t.db, actor);

    await drain();
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'failed', attempts: 0, last_error: 'Xero is unavailable (503)' });

    nock.cleanAll();
    nock(XERO_HOST).put('/api.xro/2.0/ManualJournals').query(true).replyWithError('socket hang up');
    await makeDue(actor);
    await drain();
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'failed', attempts: 0, last_error: expect.stringContaining('socket hang up') });

    nock.cleanAll();
    const recovered = xeroDouble();
    await makeDue(actor);
    await drain();
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'done', attempts: 1, last_error: null });
    expect(recovered.created.size).toBe(1);
  });

  it("shows Xero's validation message on the journal, does not retry it by itself, and posts it after Retry", async () => {
    const xero = xeroDouble();
    xero.script.push({ status: 400, body: validationException("Account code '630' is not a valid code for this document.", 'The total debits (100.00) must equal total credits (-10.00)') });
    const { actor, journalIds: [id] } = await givenJournals(1);
    await givenXeroConnection(t.db, actor);

    await drain();
    const message = "Xero refused the journal: Account code '630' is not a valid code for this document.; The total debits (100.00) must equal total credits (-10.00)";
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'dead', attempts: 1, last_error: message });

    await makeDue(actor);
    await drain();
    expect(xero.received).toHaveLength(1);

    const app = testApp(t.db);
    const user = await t.db('users').where({ tenant_id: actor.tenantId }).first('email');
    const agent = await signIn(app, user.email, 'correct horse battery');
    const page = (await agent.get(`/journals/${id}`).expect(200)).text;
    expect(page).toContain('Account code &#x27;630&#x27; is not a valid code for this document.');
    expect(page).toContain(`action="/journals/${id}/retry"`);

    await agent.post(`/journals/${id}/retry`).type('form').send({ _csrf: csrfOf(page) }).expect(303);
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'pending', attempts: 0 });
    await drain();
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'done', connector: 'xero' });
    const after = (await agent.get(`/journals/${id}`).expect(200)).text;
    expect(after).toContain('posted');
    expect(after).not.toContain('/retry"');
  });

  it('refreshes once on a 401 and sends the journal again with the new token', async () => {
    const xero = xeroDouble();
    xero.script.push({ status: 401, body: { Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' } });
    const { actor, journalIds: [id] } = await givenJournals(1);
    await givenXeroConnection(t.db, actor, { accessToken: 'revoked-early' });
    const refresh = nock(IDENTITY_HOST).post('/connect/token').once().reply(200, tokenSet('fresh', 'r2'));

    await drain();
    expect(refresh.isDone()).toBe(true);
    expect(xero.postsFor(id).map((c) => c.authorization)).toEqual(['Bearer revoked-early', 'Bearer fresh']);
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('marks the connection needs_reconnect when Xero refuses a fresh token too', async () => {
    const xero = xeroDouble();
    const unauthorised = { status: 401, body: { Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' } };
    xero.script.push(unauthorised, unauthorised);
    const { actor, journalIds: [id] } = await givenJournals(1);
    await givenXeroConnection(t.db, actor);
    nock(IDENTITY_HOST).post('/connect/token').once().reply(200, tokenSet('fresh', 'r2'));

    await drain();
    expect(xero.received).toHaveLength(2);
    expect(await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).first()).toMatchObject({ status: 'needs_reconnect', last_error: expect.stringContaining('401') });
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'failed', attempts: 0, last_error: expect.stringContaining('Xero needs reconnecting') });
  });

  it('refuses the journal but keeps the connection when Xero answers 403 while still listing the organisation (a missing scope)', async () => {
    const xero = xeroDouble();
    xero.script.push({ status: 403, body: { Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' } });
    const { actor, journalIds: [id] } = await givenJournals(1);
    const { xeroTenantId } = await givenXeroConnection(t.db, actor);
    nock(XERO_HOST).get('/connections').reply(200, [{ id: 'c1', tenantId: xeroTenantId, tenantType: 'ORGANISATION', tenantName: 'Demo Company (UK)' }]);
    await drain();
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'dead', last_error: expect.stringContaining('Perpetua may not do this in Xero') });
    expect(await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).first('status')).toEqual({ status: 'connected' });
  });

  it('marks the connection needs_reconnect when Xero answers 403 (the app was disconnected in Xero)', async () => {
    const xero = xeroDouble();
    xero.script.push({ status: 403, body: { Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' } });
    const { actor, journalIds: [id] } = await givenJournals(1);
    await givenXeroConnection(t.db, actor);
    await drain();
    expect(xero.received).toHaveLength(1);
    expect((await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).first()).status).toBe('needs_reconnect');
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'failed', attempts: 0, last_error: 'Xero needs reconnecting: Xero refused access (403 AuthorizationUnsuccessful)' });
  });

  it('keeps journals waiting while the connection needs reconnecting, without using up attempts, and posts each once after reconnecting', async () => {
    const xero = xeroDouble();
    const { actor, journalIds } = await givenJournals(2);
    await givenXeroConnection(t.db, actor, { status: 'needs_reconnect' });

    // Far more rounds than the ten attempts that dead-letter a row.
    for (let round = 0; round < 12; round++) {
      await makeDue(actor);
      await drain();
    }
    expect(xero.received).toHaveLength(0);
    for (const id of journalIds) {
      expect(await outboxRow(actor, id)).toMatchObject({ status: 'failed', attempts: 0, connector: 'xero', last_error: 'Xero needs reconnecting' });
      const wait = await secondsUntilDue(actor, id);
      expect(wait).toBeGreaterThan(14 * 60);
      expect(wait).toBeLessThanOrEqual(15 * 60);
    }

    await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ status: 'connected' });
    await resumeWaitingPostings(t.db, actor.tenantId);
    await drain();
    for (const id of journalIds) {
      expect(await outboxRow(actor, id)).toMatchObject({ status: 'done', connector: 'xero', attempts: 1 });
      expect(xero.postsFor(id)).toHaveLength(1);
    }
  });

  it('keeps journals local when the organisation has no Xero connection', async () => {
    const xero = xeroDouble();
    const { actor, journalIds: [id] } = await givenJournals(1);
    await drain();
    expect(xero.received).toHaveLength(0);
    expect(await outboxRow(actor, id)).toMatchObject({ status: 'done', connector: 'offline' });
  });

  it('posts to each organisation its own journals', async () => {
    const xero = xeroDouble();
    const a = await givenJournals(1);
    const b = await givenJournals(1);
    const ca = await givenXeroConnection(t.db, a.actor);
    const cb = await givenXeroConnection(t.db, b.actor);
    await drain();
    expect(xero.postsFor(a.journalIds[0]).map((c) => c.xeroTenantId)).toEqual([ca.xeroTenantId]);
    expect(xero.postsFor(b.journalIds[0]).map((c) => c.xeroTenantId)).toEqual([cb.xeroTenantId]);
  });

  it('posts each journal exactly once when two workers drain at the same time', async () => {
    const xero = xeroDouble();
    xero.slowDown(20);
    const { actor, journalIds } = await givenJournals(8);
    await givenXeroConnection(t.db, actor);
    const [n1, n2] = await Promise.all([drain(), drain()]);
    expect(n1 + n2).toBeGreaterThanOrEqual(8);
    for (const id of journalIds) {
      expect(xero.postsFor(id)).toHaveLength(1);
      expect(await outboxRow(actor, id)).toMatchObject({ status: 'done', connector: 'xero', attempts: 1 });
    }
    expect(xero.received).toHaveLength(8);
  });
});
