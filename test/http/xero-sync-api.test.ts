import nock from 'nock';
import { Express } from 'express';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { forgetLimits } from '../../server/connectors/xero/limits';
import { givenApiClient } from '../support/app';
import { documentedApi } from './support/documented-api';
import { servedRoutes, documentedRoutes } from './support/routes';
import { csrfOf, signIn } from './support/session';
import { givenXeroConnection, xeroConfig, XERO_HOST } from '../integration/xero/xero-double';
import { account, accountsResponse, API } from '../integration/xero/sync-fixtures';

const t = documentedApi();
let app: Express;
beforeAll(() => {
  // The app as production builds it, pointed at the nock'd Xero with the test encryption key.
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), publicUrl: 'http://localhost:3000', xero: xeroConfig.xero, encryptionKey: xeroConfig.encryptionKey };
  app = createApp({ db: t.db, config, log: createLogger('silent'), sessionSecret: 'test-secret-test-secret-test-secret-00' });
});
beforeEach(() => forgetLimits());
afterEach(() => { nock.cleanAll(); });

const ALL_BUT_630 = ['631', '632', '635', '815', '310', '311', '312', '313', '314', '840'];
const chart = (codes: string[]) => accountsResponse(codes.map((code) => account({ code, name: `Account ${code}`, type: code.startsWith('6') ? 'CURRENT' : 'EXPENSE' })));

describe('the Xero sync API', () => {
  it('is served and documented route for route', () => {
    const mine = (routes: string[]) => routes.filter((r) => /\/xero\/(accounts|sync)/.test(r));
    expect(mine(servedRoutes(t.app, '/api/v1'))).toEqual(['GET /xero/accounts', 'POST /xero/accounts/suggested', 'POST /xero/sync']);
    expect(mine(documentedRoutes(t.doc))).toEqual(mine(servedRoutes(t.app, '/api/v1')));
    expect(t.doc.tags.filter((tag: { name: string }) => tag.name === 'Xero sync')).toHaveLength(1);
  });

  it('lists the pulled chart of accounts for admins and bookkeepers, and not for operations', async () => {
    const admin = await givenApiClient(t.db, app);
    await t.db('external_accounts').insert([
      { tenant_id: admin.actor.tenantId, provider: 'xero', external_id: 'a-1', code: '630', name: 'Stock on hand', type: 'CURRENT', class: 'ASSET', status: 'ACTIVE' },
      { tenant_id: admin.actor.tenantId, provider: 'xero', external_id: 'a-2', code: '477', name: 'Old wages', type: 'EXPENSE', class: 'EXPENSE', status: 'ARCHIVED' },
    ]);
    const res = await admin.get('/api/v1/xero/accounts').expect(200);
    t.expectDocumented(res, 'get', '/xero/accounts');
    expect(res.body.accounts.map((a: any) => [a.code, a.status])).toEqual([['630', 'ACTIVE'], ['477', 'ARCHIVED']]);
    expect((await admin.get('/api/v1/xero/accounts?status=x').expect(422)).body.error.code).toBe('invalid');

    const ops = await givenApiClient(t.db, app, 'operations');
    t.expectDocumented(await ops.get('/api/v1/xero/accounts').expect(403), 'get', '/xero/accounts');
  });

  it('creates the suggested accounts in Xero and answers with what it created and the chart', async () => {
    const c = await givenApiClient(t.db, app);
    await givenXeroConnection(t.db, c.actor);
    const before = chart(ALL_BUT_630);
    const made = account({ code: '630', name: 'Raw Materials Stock', type: 'CURRENT' });
    nock(XERO_HOST).get(`${API}/Accounts`).reply(200, before);
    const put = nock(XERO_HOST).put(`${API}/Accounts`, (b) => b.Code === '630' && b.Type === 'CURRENT').reply(200, accountsResponse([made]));
    nock(XERO_HOST).get(`${API}/Accounts`).reply(200, accountsResponse([...before.Accounts, made]));

    const res = await c.post('/api/v1/xero/accounts/suggested').expect(200);

    t.expectDocumented(res, 'post', '/xero/accounts/suggested');
    expect(put.isDone()).toBe(true);
    expect(res.body.created).toEqual([{ role: 'raw_materials', code: '630', name: 'Raw Materials Stock', type: 'CURRENT' }]);
    expect(res.body.accounts).toHaveLength(11);
  });

  it('answers 409 naming the code when Xero reports a clash, and 502 when Xero is down', async () => {
    const c = await givenApiClient(t.db, app);
    await givenXeroConnection(t.db, c.actor);
    nock(XERO_HOST).get(`${API}/Accounts`).reply(200, chart(ALL_BUT_630));
    nock(XERO_HOST).put(`${API}/Accounts`).reply(400, { ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: [{ Code: '630', ValidationErrors: [{ Message: 'Please enter a unique Code.' }] }] });
    const clash = await c.post('/api/v1/xero/accounts/suggested').expect(409);
    t.expectDocumented(clash, 'post', '/xero/accounts/suggested');
    expect(clash.body.error.message).toContain('Xero already has an account with code 630');

    nock(XERO_HOST).get(`${API}/Accounts`).reply(503, 'Service Unavailable');
    const down = await c.post('/api/v1/xero/accounts/suggested').expect(502);
    t.expectDocumented(down, 'post', '/xero/accounts/suggested');
    expect(down.body.error).toMatchObject({ code: 'connector_error', message: 'Xero: Xero is unavailable (503)' });
  });

  it('makes the organisation due for the sync worker, but not while a sync runs or with no connection', async () => {
    const c = await givenApiClient(t.db, app);
    t.expectDocumented(await c.post('/api/v1/xero/sync').expect(409), 'post', '/xero/sync');
    await givenXeroConnection(t.db, c.actor);
    await t.db('accounting_connections').where({ tenant_id: c.actor.tenantId }).update({ next_sync_at: t.db.raw("now() + interval '5 minutes'") });

    const res = await c.post('/api/v1/xero/sync').expect(200);
    t.expectDocumented(res, 'post', '/xero/sync');
    const { rows } = await t.db.raw('select next_sync_at <= now() as due from accounting_connections where tenant_id = ?', [c.actor.tenantId]);
    expect(rows[0].due).toBe(true);

    // A worker holds it (its lease runs ten minutes): not again until that one is done.
    await t.db('accounting_connections').where({ tenant_id: c.actor.tenantId }).update({ sync_status: 'running', next_sync_at: t.db.raw("now() + interval '10 minutes'") });
    expect((await c.post('/api/v1/xero/sync').expect(409)).body.error.message).toMatch(/sync is running/);
    expect((await c.post('/api/v1/xero/sync', { now: true }).expect(422)).body.error.code).toBe('invalid');
  });
});

describe('the settings page with Xero connected', () => {
  it('offers the Xero chart in the account-mapping code boxes, and the button to create the suggested accounts', async () => {
    const c = await givenApiClient(t.db, app);
    const user = await t.db('users').where({ tenant_id: c.actor.tenantId }).first('email');
    const agent = await signIn(app, user.email, 'correct horse battery');
    const before = (await agent.get('/settings').expect(200)).text;
    expect(before).not.toContain('datalist');

    await givenXeroConnection(t.db, c.actor);
    await t.db('external_accounts').insert({ tenant_id: c.actor.tenantId, provider: 'xero', external_id: 'a-1', code: '630', name: 'Stock on hand', type: 'CURRENT', class: 'ASSET', status: 'ACTIVE' });
    const page = (await agent.get('/settings').expect(200)).text;
    expect(page).toContain('<datalist id="xero-accounts"><option value="630">630 Stock on hand (CURRENT)</option></datalist>');
    expect(page).toContain('name="accounts[raw_materials][code]" value="630" size="6" aria-label="Raw materials stock code" list="xero-accounts"');
    expect(page).toMatch(/<form method="post" action="\/settings\/xero-accounts" class="inline">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<button type="submit" >Create suggested accounts in Xero<\/button>/);
    expect(csrfOf(page)).toBeTruthy();
  });
});
