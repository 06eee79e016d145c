import nock from 'nock';
import request from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { givenPart } from '../support/builders';
import { line } from '../support/ledger-checks';
import { csrfOf, signUp, Agent } from './support/session';
import { decryptSecret } from '../../server/connectors/xero/crypto';
import { postStockEvent } from '../../server/services/stock/post-event';
import { drainOutbox } from '../../server/jobs/outbox-worker';
import { createRegistry } from '../../server/connectors/registry';
import { Actor } from '../../server/services/stock/types';
import { encryptionKey, LOGIN_HOST, xeroConfig, xeroIdentityDouble } from '../integration/xero/xero-double';

let t: TestDb;
let app: Express;
let xero: ReturnType<typeof xeroIdentityDouble>;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db, { xero: xeroConfig.xero, encryptionKey, signup: 'open' });
}, 60_000);
afterAll(async () => { await t.close(); });
beforeEach(() => { xero = xeroIdentityDouble(); });
afterEach(() => { nock.cleanAll(); });

let n = 0;
async function givenAdmin(): Promise<{ agent: Agent; actor: Actor }> {
  n += 1;
  return signUp(app, t.db, { organisation: `Pumps ${n}`, name: 'Admin', email: `admin${n}-${Date.now()}@pumps.test` });
}

/** Press "Connect to Xero": the app sends the browser to Xero's authorize URL. */
async function startConnect(agent: Agent): Promise<URL> {
  const page = await agent.get('/settings/xero').expect(200);
  const res = await agent.post('/settings/xero/connect').type('form').send({ _csrf: csrfOf(page.text) }).expect(303);
  return new URL(res.headers.location);
}

const connectionOf = (tenantId: string) => t.db('accounting_connections').where({ tenant_id: tenantId, provider: 'xero' }).first();

describe('Connect to Xero from settings', () => {
  it('asks Xero for the least scopes with a fresh state, and stores the chosen organisation with its tokens encrypted, base currency and lock dates', async () => {
    const { agent, actor } = await givenAdmin();
    const org = xero.organisation({ name: 'Pumps Ltd (Xero)', periodLockDate: '2026-09-30', endOfYearLockDate: '2026-03-31' });
    const to = await startConnect(agent);
    expect(`${to.origin}${to.pathname}`).toBe(`${LOGIN_HOST}/identity/connect/authorize`);
    expect(to.searchParams.get('client_id')).toBe('perpetua-client');
    expect(to.searchParams.get('redirect_uri')).toBe('http://perpetua.test/xero/callback');
    expect(to.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['offline_access', 'accounting.manualjournals', 'accounting.invoices.read']));
    expect(to.searchParams.get('scope')).not.toMatch(/accounting\.transactions/);
    const again = await startConnect(agent);
    expect(again.searchParams.get('state')).not.toBe(to.searchParams.get('state'));

    const code = xero.consent([org.tenantId], { email: 'owner@pumps.test' });
    const back = await agent.get(`/xero/callback?code=${code}&state=${again.searchParams.get('state')}`).expect(303);
    expect(back.headers.location).toBe('/settings/xero?notice=connected');

    const row = await connectionOf(actor.tenantId);
    expect(row).toMatchObject({ external_tenant_id: org.tenantId, external_connection_id: org.connectionId, organisation_name: 'Pumps Ltd (Xero)', status: 'connected', base_currency: 'GBP', period_lock_date: '2026-09-30', end_of_year_lock_date: '2026-03-31' });
    expect(row.refresh_token_enc).not.toMatch(/refresh-c/);
    expect(decryptSecret(row.refresh_token_enc, encryptionKey)).toMatch(/^refresh-c\d+$/);
    expect(xero.tokenRequests.at(-1)).toMatchObject({ grant_type: 'authorization_code', code, redirect_uri: 'http://perpetua.test/xero/callback' });

    const page = await agent.get('/settings/xero').expect(200);
    expect(page.text).toContain('Pumps Ltd (Xero)');
    expect(page.text).toContain('Connected');
    expect(page.text).toContain('period 2026-09-30');
  });

  it('refuses a callback whose state this session did not send, and a state used twice', async () => {
    const { agent, actor } = await givenAdmin();
    const org = xero.organisation({ name: 'Forged Ltd' });
    const to = await startConnect(agent);
    const code = xero.consent([org.tenantId], { email: 'x@x.test' });
    const forged = await agent.get(`/xero/callback?code=${code}&state=not-the-state`).expect(400);
    expect(forged.text).toContain('did not start here or has expired');
    expect(await connectionOf(actor.tenantId)).toBeUndefined();
    // The forged attempt used up the login: the real state no longer works either.
    await agent.get(`/xero/callback?code=${code}&state=${to.searchParams.get('state')}`).expect(400);
    expect(await connectionOf(actor.tenantId)).toBeUndefined();
    expect(xero.tokenRequests).toHaveLength(0);
  });

  it('lets the admin choose when the consent covers several organisations', async () => {
    const { agent, actor } = await givenAdmin();
    const a = xero.organisation({ name: 'North Ltd' });
    const b = xero.organisation({ name: 'South Ltd' });
    const to = await startConnect(agent);
    const code = xero.consent([a.tenantId, b.tenantId], { email: 'x@x.test' });
    await agent.get(`/xero/callback?code=${code}&state=${to.searchParams.get('state')}`).expect(303).expect('location', '/xero/choose');
    const choose = await agent.get('/xero/choose').expect(200);
    expect(choose.text).toContain('North Ltd');
    expect(choose.text).toContain('South Ltd');
    const bad = await agent.post('/xero/choose').type('form').send({ _csrf: csrfOf(choose.text), xero_tenant_id: 'someone-else' }).expect(422);
    expect(bad.text).toContain('Choose one of the organisations listed');
    expect(await connectionOf(actor.tenantId)).toBeUndefined();
    await agent.post('/xero/choose').type('form').send({ _csrf: csrfOf(choose.text), xero_tenant_id: b.tenantId }).expect(303);
    expect(await connectionOf(actor.tenantId)).toMatchObject({ external_tenant_id: b.tenantId, organisation_name: 'South Ltd' });
  });

  it('refuses an organisation in another base currency, and one already connected to another Perpetua organisation', async () => {
    const first = await givenAdmin();
    const dollars = xero.organisation({ name: 'Pumps Inc', baseCurrency: 'USD' });
    let to = await startConnect(first.agent);
    let res = await first.agent.get(`/xero/callback?code=${xero.consent([dollars.tenantId], { email: 'x@x.test' })}&state=${to.searchParams.get('state')}`).expect(409);
    expect(res.text).toMatch(/Xero organisation Pumps Inc keeps its books in USD, but this Perpetua organisation(&#x27;|')s base currency is GBP/);
    expect(await connectionOf(first.actor.tenantId)).toBeUndefined();

    const shared = xero.organisation({ name: 'Shared Ltd' });
    to = await startConnect(first.agent);
    await first.agent.get(`/xero/callback?code=${xero.consent([shared.tenantId], { email: 'x@x.test' })}&state=${to.searchParams.get('state')}`).expect(303);
    const second = await givenAdmin();
    to = await startConnect(second.agent);
    res = await second.agent.get(`/xero/callback?code=${xero.consent([shared.tenantId], { email: 'x@x.test' })}&state=${to.searchParams.get('state')}`).expect(409);
    expect(res.text).toContain('already connected to another Perpetua organisation');
    expect(await connectionOf(second.actor.tenantId)).toBeUndefined();
  });

  it('comes back from "Cancel" in Xero with nothing changed', async () => {
    const { agent, actor } = await givenAdmin();
    const to = await startConnect(agent);
    await agent.get(`/xero/callback?error=access_denied&state=${to.searchParams.get('state')}`).expect(303).expect('location', '/settings/xero?notice=cancelled');
    expect(await connectionOf(actor.tenantId)).toBeUndefined();
  });

  it('disconnects in Xero and here; journals made afterwards wait, and reconnecting sends them', async () => {
    const { agent, actor } = await givenAdmin();
    const org = xero.organisation({ name: 'Leaving Ltd' });
    let to = await startConnect(agent);
    await agent.get(`/xero/callback?code=${xero.consent([org.tenantId], { email: 'x@x.test' })}&state=${to.searchParams.get('state')}`).expect(303);
    const page = await agent.get('/settings/xero').expect(200);
    await agent.post('/settings/xero/disconnect').type('form').send({ _csrf: csrfOf(page.text) }).expect(303).expect('location', '/settings/xero?notice=disconnected');
    expect(xero.deleted).toEqual([org.connectionId]);
    expect(await connectionOf(actor.tenantId)).toMatchObject({ status: 'disconnected', access_token_enc: null, refresh_token_enc: null });

    await givenPart(t.db, actor, 'DC-1');
    const posted = await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-20', reference: 'after', lines: [line('DC-1', 'MAIN', '1', '9.50')] });
    await drainOutbox(t.db, createRegistry(t.db, xeroConfig), { publicUrl: 'http://perpetua.test' });
    const waiting = await t.db('outbox').where({ tenant_id: actor.tenantId, journal_id: posted.body.journal!.id }).first();
    expect(waiting).toMatchObject({ status: 'failed', attempts: 0 });
    expect(waiting.last_error).toMatch(/^Xero needs reconnecting/);
    const shown = (await agent.get('/settings/xero').expect(200)).text;
    expect(shown).toContain('0 posted to Xero; <a href="/journals">1 waiting</a>');
    expect(shown).not.toContain('need attention');

    // A bill's webhook event waiting for the connection too.
    const [event] = await t.db('webhook_events').insert({
      provider: 'xero', dedupe_key: `wait-${actor.tenantId}`, external_tenant_id: org.tenantId, tenant_id: actor.tenantId, category: 'INVOICE', type: 'UPDATE',
      resource_id: 'inv-1', event_date: new Date(), payload: '{}', status: 'failed', last_error: 'Xero needs reconnecting', next_attempt_at: new Date(Date.now() + 15 * 60_000),
    }).returning('id');

    to = await startConnect(agent);
    await agent.get(`/xero/callback?code=${xero.consent([org.tenantId], { email: 'x@x.test' })}&state=${to.searchParams.get('state')}`).expect(303);
    const resumed = await t.db.raw('select next_attempt_at <= now() as due from outbox where tenant_id = ? and journal_id = ?', [actor.tenantId, posted.body.journal!.id]);
    expect(resumed.rows[0].due).toBe(true);
    const eventDue = await t.db.raw('select next_attempt_at <= now() as due from webhook_events where id = ?', [event.id]);
    expect(eventDue.rows[0].due).toBe(true);
  });

  it('shows the first sync\'s progress on the connection page, refreshing itself while it runs', async () => {
    const { agent, actor } = await givenAdmin();
    const org = xero.organisation({ name: 'Big Org Ltd' });
    const to = await startConnect(agent);
    await agent.get(`/xero/callback?code=${xero.consent([org.tenantId], { email: 'x@x.test' })}&state=${to.searchParams.get('state')}`).expect(303);
    await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ sync_status: 'running', sync_progress: JSON.stringify({ phase: 'purchase_orders', done: 400, total: 2500 }) });
    let page = await agent.get('/settings/xero').expect(200);
    expect(page.text).toMatch(/syncing: purchase_orders 400 of 2500/);
    expect(page.text).toContain('hx-trigger="every 3s"');
    await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ sync_status: 'idle', last_sync_at: new Date() });
    page = await agent.get('/settings/xero').expect(200);
    expect(page.text).not.toContain('hx-trigger="every 3s"');
    expect(page.text).not.toContain('not yet');
  });

  it('shows the connection on the API, and a 404 before there is one', async () => {
    const { agent, actor } = await givenAdmin();
    const { createApiKey } = await import('../../server/services/auth/accounts');
    const { key } = await createApiKey(t.db, actor.tenantId, actor.userId ?? null, 'tests');
    const missing = await request(app).get('/api/v1/xero/connection').set('Authorization', `Bearer ${key}`).expect(404);
    expect(missing.body.error.message).toContain('Xero connection');
    const org = xero.organisation({ name: 'Api Ltd', periodLockDate: '2026-10-31' });
    const to = await startConnect(agent);
    await agent.get(`/xero/callback?code=${xero.consent([org.tenantId], { email: 'x@x.test' })}&state=${to.searchParams.get('state')}`).expect(303);
    const got = await request(app).get('/api/v1/xero/connection').set('Authorization', `Bearer ${key}`).expect(200);
    expect(got.body).toMatchObject({ organisation_name: 'Api Ltd', status: 'connected', base_currency: 'GBP', period_lock_date: '2026-10-31', journals: { waiting: 0, failed: 0, posted: 0 } });
    const gone = await request(app).delete('/api/v1/xero/connection').set('Authorization', `Bearer ${key}`).expect(200);
    expect(gone.body).toMatchObject({ status: 'disconnected', told_xero: true });
  });
});

describe('Sign up with Xero', () => {
  async function signUpWithXero(agent: Agent, tenantIds: string[], email: string, nonceOverride?: string) {
    const res = await agent.get('/xero/signup').expect(303);
    const to = new URL(res.headers.location);
    expect(to.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    const code = xero.consent(tenantIds, { email, givenName: 'Grace', familyName: 'Hopper' }, nonceOverride ?? to.searchParams.get('nonce')!);
    return agent.get(`/xero/callback?code=${code}&state=${to.searchParams.get('state')}`);
  }

  it('is offered on the sign-in page when a Xero app is configured', async () => {
    await givenAdmin();
    const login = await request(app).get('/login').expect(200);
    expect(login.text).toContain('href="/xero/signup"');
    expect(login.text).toContain('Sign in with Xero');
  });

  it('creates the organisation from Xero (name, base currency), its admin from the Xero user, connected and signed in', async () => {
    const agent = request.agent(app);
    const org = xero.organisation({ name: 'Hopper Pumps Inc', baseCurrency: 'USD' });
    const email = `grace-${Date.now()}@hopper.test`;
    const res = await signUpWithXero(agent, [org.tenantId], email);
    expect([res.status, res.headers.location]).toEqual([303, '/settings/xero?notice=connected']);
    const user = await t.db('users').where({ email }).first();
    expect(user).toMatchObject({ name: 'Grace Hopper', role: 'admin' });
    const tenant = await t.db('tenants').where({ id: user.tenant_id }).first();
    expect(tenant).toMatchObject({ name: 'Hopper Pumps Inc', base_currency: 'USD' });
    expect(await connectionOf(user.tenant_id)).toMatchObject({ external_tenant_id: org.tenantId, status: 'connected' });
    const page = await agent.get('/settings/xero').expect(200);
    expect(page.text).toContain('Hopper Pumps Inc');
  });

  it('signs an existing user in rather than making a second organisation', async () => {
    const { actor } = await givenAdmin();
    const existing = await t.db('users').where({ id: actor.userId }).first();
    const org = xero.organisation({ name: 'Known Ltd' });
    const before = await t.db('tenants').count('* as n').first();
    const agent = request.agent(app);
    expect((await signUpWithXero(agent, [org.tenantId], existing.email.toUpperCase())).status).toBe(303);
    expect(await t.db('tenants').count('* as n').first()).toEqual(before);
    expect(await connectionOf(actor.tenantId)).toMatchObject({ external_tenant_id: org.tenantId });
    await agent.get('/settings/xero').expect(200);
  });

  it('links the person to their Xero user at the first Xero sign-in and refuses another Xero user with the same email', async () => {
    const org = xero.organisation({ name: 'Linked Ltd' });
    const email = `linked-${Date.now()}@x.test`;
    expect((await signUpWithXero(request.agent(app), [org.tenantId], email)).status).toBe(303);
    const linked = await t.db('users').where({ email }).first('xero_user_id');
    expect(linked.xero_user_id).toMatch(/^[0-9a-f-]{36}$/);
    // The double gives every consent a new Xero user id: someone else's Xero login with this email.
    const other = await signUpWithXero(request.agent(app), [org.tenantId], email);
    expect(other.status).toBe(403);
    expect(other.text).toContain('signs in with another Xero user');
  });

  it('refuses an id_token carrying another nonce, creating nothing', async () => {
    const org = xero.organisation({ name: 'Replay Ltd' });
    const email = `replay-${Date.now()}@x.test`;
    const res = await signUpWithXero(request.agent(app), [org.tenantId], email, 'someone-elses-nonce');
    expect(res.status).toBe(400);
    expect(res.text).toContain('wrong nonce');
    expect(await t.db('users').where({ email }).first()).toBeUndefined();
  });
});
