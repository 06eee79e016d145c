import request from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createApiKey } from '../../server/services/auth/accounts';
import { csrfOf, signUp, Agent } from './support/session';

/**
 * A second web process on the same database: the app loaded again in its own module registry,
 * so nothing held in a module (a cache of verified keys) is shared with the first.
 */
function appInAnotherProcess(t: TestDb): Express {
  let app: Express | undefined;
  jest.isolateModules(() => {
    const { createApp } = require('../../server/app') as typeof import('../../server/app');
    const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), publicUrl: 'http://localhost:3000' };
    app = createApp({ db: t.db, config, log: createLogger('silent'), sessionSecret: 'test-secret-test-secret-test-secret-00' });
  });
  return app!;
}

describe('API key revocation', () => {
  let t: TestDb;
  let first: Express;
  let second: Express;
  let admin: Agent;
  let tenantId: string;
  beforeAll(async () => {
    t = await openTestDb();
    first = testApp(t.db);
    second = appInAnotherProcess(t);
    ({ agent: admin, actor: { tenantId } } = await signUp(first, t.db, { organisation: 'Revokers Ltd', name: 'Ada', email: 'ada@revokers.test' }));
  }, 60_000);
  afterAll(async () => { await t.close(); });

  it('refuses a key revoked through one process in the other on its very next request', async () => {
    const { id, key } = await createApiKey(t.db, tenantId, null, 'warehouse scanner', 'operations');
    const auth = { Authorization: `Bearer ${key}` };
    const line = { part: 'BRG-6204', location: 'MAIN', quantity: '1' };
    await request(first).post('/api/v1/parts').set(auth).send({ sku: 'BRG-6204', name: 'Bearing 6204' }).expect(201);
    // Both processes have just accepted the key (and would have remembered it).
    await request(second).post('/api/v1/stock/receipts').set(auth)
      .send({ occurred_on: '2026-11-02', lines: [{ ...line, quantity: '10', unit_cost: '3.00' }] }).expect(201);
    await request(second).post('/api/v1/stock/issues').set(auth).send({ occurred_on: '2026-11-03', lines: [line] }).expect(201);

    const settings = await admin.get('/settings').expect(200);
    await admin.post(`/settings/api-keys/${id}/revoke`).type('form').send({ _csrf: csrfOf(settings.text) }).expect(303);

    const refused = await request(second).post('/api/v1/stock/issues').set(auth).send({ occurred_on: '2026-11-03', lines: [line] }).expect(401);
    expect(refused.body.error).toMatchObject({ code: 'unauthorised', message: 'API key is not valid' });
    await request(first).get('/api/v1/parts').set(auth).expect(401);
    const issues = await t.db('stock_events').where({ tenant_id: tenantId, kind: 'issue' }).count<{ count: number }[]>('* as count');
    expect(Number(issues[0].count)).toBe(1);
  });
});
