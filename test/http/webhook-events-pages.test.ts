import request from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { signUp, signIn, csrfOf, Agent } from './support/session';
import { addUser } from '../../server/services/auth/accounts';
import { recordWebhookEvents } from '../../server/services/webhook-inbox';
import { Actor } from '../../server/services/stock/types';
import { parseXeroDelivery } from '../../webhooks/xero';
import { delivery, xeroEvent } from '../webhooks/xero-deliveries';
import { problems, responseSchema } from './support/json-schema';

let t: TestDb;
let app: Express;
let admin: Agent;
let actor: Actor;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  ({ agent: admin, actor } = await signUp(app, t.db, { organisation: 'Hooks Ltd', name: 'Ada Admin', email: 'ada@hooks.example' }));
}, 60_000);
afterAll(async () => { await t.close(); });
beforeEach(async () => { await t.db('webhook_events').del(); });

/** Xero events stored and already matched to an organisation, in the states given. */
async function givenEvents(tenantId: string, states: { status: string; attempts?: number; last_error?: string | null }[]): Promise<string[]> {
  const events = states.map((_, i) => xeroEvent(i + 1));
  await recordWebhookEvents(t.db, 'xero', parseXeroDelivery(Buffer.from(delivery(events)))!);
  const ids: string[] = [];
  for (const [i, s] of states.entries()) {
    const [row] = await t.db('webhook_events').where({ resource_id: events[i].resourceId })
      .update({ tenant_id: tenantId, status: s.status, attempts: s.attempts ?? 0, last_error: s.last_error ?? null, next_attempt_at: t.db.raw("now() + interval '1 hour'") }).returning('id');
    ids.push(row.id);
  }
  return ids;
}

describe('Settings → Webhook events', () => {
  it('is linked from the settings page', async () => {
    expect((await admin.get('/settings').expect(200)).text).toContain('href="/settings/webhooks"');
  });

  it('shows an admin their organisation\'s events with status, attempts and last error, and Retry only on failed or dead ones', async () => {
    const [processed, failed, dead] = await givenEvents(actor.tenantId, [
      { status: 'processed', attempts: 1 },
      { status: 'failed', attempts: 2, last_error: 'Xero answered 503' },
      { status: 'dead', attempts: 10, last_error: 'Invoice not found' },
    ]);
    const other = await addOrganisation();
    const [elsewhere] = await givenEventsFor(other, 'OTHER-ORG-ERROR');
    const page = (await admin.get('/settings/webhooks').expect(200)).text;
    const row = (id: string) => new RegExp(`<tr id="webhook-${id}">(.*?)</tr>`, 's').exec(page)?.[1] ?? '';
    expect(row(failed)).toMatch(/status-failed">failed<.*<td class="num">2<\/td><td>Xero answered 503<\/td>.*Retry/s);
    expect(row(dead)).toMatch(/status-dead">dead<.*<td class="num">10<\/td><td>Invoice not found<\/td>.*Retry/s);
    expect(row(processed)).toMatch(/status-processed">processed</);
    expect(row(processed)).not.toContain('Retry');
    expect(page).not.toContain(elsewhere);
    expect(page).not.toContain('OTHER-ORG-ERROR');
  });

  it('filters by status', async () => {
    const [failed, dead] = await givenEvents(actor.tenantId, [{ status: 'failed', attempts: 1 }, { status: 'dead', attempts: 10 }]);
    const page = (await admin.get('/settings/webhooks?status=dead').expect(200)).text;
    expect(page).toContain(`webhook-${dead}`);
    expect(page).not.toContain(`webhook-${failed}`);
  });

  it('puts a dead event back in the queue, due now, when the admin presses Retry', async () => {
    const [dead] = await givenEvents(actor.tenantId, [{ status: 'dead', attempts: 10, last_error: 'Invoice not found' }]);
    const page = (await admin.get('/settings/webhooks').expect(200)).text;
    const res = await admin.post(`/settings/webhooks/${dead}/retry`).type('form').send({ _csrf: csrfOf(page) }).expect(303);
    expect(res.headers.location).toBe('/settings/webhooks');
    const [row] = (await t.db.raw('select status, attempts, last_error, next_attempt_at <= now() as due from webhook_events where id = ?', [dead])).rows;
    expect(row).toEqual({ status: 'pending', attempts: 0, last_error: 'Invoice not found', due: true });
  });

  it('refuses a retry without the CSRF token, and of an event that has not failed', async () => {
    const [dead, processed] = await givenEvents(actor.tenantId, [{ status: 'dead', attempts: 10 }, { status: 'processed', attempts: 1 }]);
    await admin.post(`/settings/webhooks/${dead}/retry`).type('form').send({}).expect(403);
    expect((await t.db('webhook_events').where({ id: dead }).first()).status).toBe('dead');
    const page = (await admin.get('/settings/webhooks').expect(200)).text;
    await admin.post(`/settings/webhooks/${processed}/retry`).type('form').send({ _csrf: csrfOf(page) }).expect(409);
  });

  it('does not retry another organisation\'s event (404)', async () => {
    const other = await addOrganisation();
    const [theirs] = await givenEventsFor(other, 'down');
    const page = (await admin.get('/settings/webhooks').expect(200)).text;
    await admin.post(`/settings/webhooks/${theirs}/retry`).type('form').send({ _csrf: csrfOf(page) }).expect(404);
    expect((await t.db('webhook_events').where({ id: theirs }).first()).status).toBe('dead');
  });

  it('is for admins only: operations gets 403, signed out goes to sign in', async () => {
    await addUser(t.db, actor.tenantId, { email: 'olly@hooks.example', name: 'Olly Ops', role: 'operations', password: 'correct horse battery' });
    const ops = await signIn(app, 'olly@hooks.example', 'correct horse battery');
    await ops.get('/settings/webhooks').expect(403);
    const [dead] = await givenEvents(actor.tenantId, [{ status: 'dead', attempts: 10 }]);
    const page = (await ops.get('/stock').expect(200)).text;
    await ops.post(`/settings/webhooks/${dead}/retry`).type('form').send({ _csrf: csrfOf(page) }).expect(403);
    expect((await t.db('webhook_events').where({ id: dead }).first()).status).toBe('dead');
    const anonymous = await request(app).get('/settings/webhooks');
    expect([302, 303, 401]).toContain(anonymous.status);
  });
});

describe('GET /api/v1/webhook-events', () => {
  it('lists the organisation\'s events for an admin key, filtered by status, as documented', async () => {
    const c = await givenApiClient(t.db, app);
    const [failed, processed] = await givenEventsFor(c.actor.tenantId, 'Xero answered 503', 2);
    await t.db('webhook_events').where({ id: processed }).update({ status: 'processed', last_error: null, processed_at: t.db.fn.now() });
    const doc = (await c.get('/api/v1/openapi.json').expect(200)).body;
    const all = await c.get('/api/v1/webhook-events').expect(200);
    expect(problems(doc, all.body, responseSchema(doc, 'get', '/webhook-events', 200))).toEqual([]);
    expect(all.body.webhook_events.map((e: { id: string }) => e.id).sort()).toEqual([failed, processed].sort());
    const dead = await c.get('/api/v1/webhook-events?status=dead').expect(200);
    expect(dead.body.webhook_events.map((e: { id: string; status: string; last_error: string }) => [e.id, e.status, e.last_error])).toEqual([[failed, 'dead', 'Xero answered 503']]);
    expect(dead.body.webhook_events[0]).toMatchObject({ provider: 'xero', category: 'INVOICE', type: 'UPDATE', attempts: 10, processed_at: null });
  });

  it('answers 422 to an unknown status and 403 to a non-admin key', async () => {
    const c = await givenApiClient(t.db, app);
    const doc = (await c.get('/api/v1/openapi.json').expect(200)).body;
    const bad = await c.get('/api/v1/webhook-events?status=lost').expect(422);
    expect(problems(doc, bad.body, responseSchema(doc, 'get', '/webhook-events', 422))).toEqual([]);
    const ops = await givenApiClient(t.db, app, 'operations');
    const refused = await ops.get('/api/v1/webhook-events').expect(403);
    expect(problems(doc, refused.body, responseSchema(doc, 'get', '/webhook-events', 403))).toEqual([]);
  });
});

async function addOrganisation(): Promise<string> {
  return (await givenApiClient(t.db, app)).actor.tenantId;
}

/** `n` dead events of another organisation (or any given one), each with `error`. */
async function givenEventsFor(tenantId: string, error: string, n = 1): Promise<string[]> {
  const events = Array.from({ length: n }, (_, i) => xeroEvent(100 + i, { tenantId: `xero-${tenantId}` }));
  await recordWebhookEvents(t.db, 'xero', parseXeroDelivery(Buffer.from(delivery(events)))!);
  const rows = await t.db('webhook_events').where({ external_tenant_id: `xero-${tenantId}` })
    .update({ tenant_id: tenantId, status: 'dead', attempts: 10, last_error: error }).returning(['id', 'resource_id']);
  return events.map((e) => rows.find((r) => r.resource_id === e.resourceId)!.id);
}
