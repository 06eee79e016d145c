import request from 'supertest';
import { Express } from 'express';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { openTestDb, TestDb } from '../support/db';
import { delivery, intentToReceive, sign, xeroEvent, XERO_WEBHOOK_KEY } from '../webhooks/xero-deliveries';

let t: TestDb;
let app: Express;
beforeAll(async () => {
  t = await openTestDb();
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), xeroWebhookKey: XERO_WEBHOOK_KEY };
  app = createApp({ db: t.db, config, log: createLogger('silent'), sessionSecret: 'test-secret-test-secret-test-secret-00' });
});
afterAll(async () => { await t.close(); });
beforeEach(async () => { await t.db('webhook_events').del(); });

const post = (body: string, signature?: string, to = app) => {
  const r = request(to).post('/webhooks/xero').set('Content-Type', 'application/json');
  return (signature === undefined ? r : r.set('x-xero-signature', signature)).send(body);
};
const stored = async () => Number((await t.db('webhook_events').count({ n: '*' }).first())!.n);

describe('intent to receive', () => {
  it('answers 200 with an empty body and no cookie to a correctly signed request', async () => {
    const body = intentToReceive();
    const res = await post(body, sign(body)).expect(200);
    expect(res.text).toBe('');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await stored()).toBe(0);
  });

  it('answers 401 with an empty body to a wrongly signed request', async () => {
    const body = intentToReceive();
    const res = await post(body, sign(body, 'not-the-key')).expect(401);
    expect(res.text).toBe('');
  });

  it('answers 401 when the signature header is missing', async () => {
    await post(intentToReceive()).expect(401);
  });

  it('answers 401 to every delivery while no webhook key is configured, and says why in the log once', async () => {
    const lines: string[] = [];
    const log = createLogger('warn', { write: (line: string) => { lines.push(line); } });
    const keyless = createApp({ db: t.db, config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), log, sessionSecret: 'test-secret-test-secret-test-secret-00' });
    const body = intentToReceive();
    const res = await post(body, sign(body), keyless).expect(401);
    expect(res.text).toBe('');
    await post(body, sign(body), keyless).expect(401);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['XERO_WEBHOOK_KEY is not set: Xero webhook deliveries are refused with 401']);
  });
});

describe('event deliveries', () => {
  it('stores each event of a signed delivery as pending, with its identity and payload', async () => {
    const events = [xeroEvent(1), xeroEvent(2, { eventCategory: 'CONTACT', eventType: 'CREATE' })];
    const body = delivery(events);
    await post(body, sign(body)).expect(200);
    const rows = await t.db('webhook_events').orderBy('resource_id');
    expect(rows.map((r) => [r.provider, r.external_tenant_id, r.category, r.type, r.resource_id, r.status, r.attempts, r.tenant_id])).toEqual([
      ['xero', events[0].tenantId, 'INVOICE', 'UPDATE', events[0].resourceId, 'pending', 0, null],
      ['xero', events[1].tenantId, 'CONTACT', 'CREATE', events[1].resourceId, 'pending', 0, null],
    ]);
    expect(rows[0].payload).toEqual(events[0]);
    expect(new Date(rows[0].event_date).toISOString()).toBe('2026-11-25T01:15:01.902Z');
  });

  it('stores an event once when the same delivery arrives twice, or inside one delivery twice', async () => {
    const body = delivery([xeroEvent(1), xeroEvent(2), xeroEvent(1)]);
    await post(body, sign(body)).expect(200);
    await post(body, sign(body)).expect(200);
    // Xero's redelivery carries a new entropy and sequence: the events, not the bytes, are the identity.
    const again = delivery([xeroEvent(2), xeroEvent(1)]);
    await post(again, sign(again)).expect(200);
    expect(await stored()).toBe(2);
  });

  it('stores each event exactly once from a storm of 50 duplicated and reordered deliveries arriving together', async () => {
    const events = Array.from({ length: 20 }, (_, i) => xeroEvent(i + 1, { eventCategory: i % 3 ? 'INVOICE' : 'CONTACT' }));
    const bodies = Array.from({ length: 50 }, (_, i) => {
      const pick = Array.from({ length: 1 + (i % 5) }, (_, j) => events[(i * 7 + j * 3) % events.length]);
      return delivery(i % 2 ? pick.reverse() : pick);
    });
    // Every event is in at least one delivery.
    bodies.push(delivery(events));
    const results = await Promise.all(bodies.map((b) => post(b, sign(b))));
    expect(results.map((r) => r.status)).toEqual(bodies.map(() => 200));
    expect(await stored()).toBe(20);
    const perKey = await t.db('webhook_events').select('dedupe_key').count({ n: '*' }).groupBy('dedupe_key');
    expect(perKey.every((r) => Number(r.n) === 1)).toBe(true);
    expect(new Set((await t.db('webhook_events').pluck('resource_id'))).size).toBe(20);
  });

  it('does not parse a body before its signature is verified: invalid JSON with a bad signature is 401 and stores nothing', async () => {
    const res = await post('{"events": [', sign('{"events": []}')).expect(401);
    expect(res.text).toBe('');
    expect(await stored()).toBe(0);
  });

  it('refuses a badly signed delivery of real events and stores none of them', async () => {
    const body = delivery([xeroEvent(1)]);
    await post(body, sign(`${body} `)).expect(401);
    expect(await stored()).toBe(0);
  });

  it('answers 400 to a correctly signed body that is not a webhook payload, storing nothing', async () => {
    const body = JSON.stringify({ events: [{ resourceId: 'x' }] });
    const res = await post(body, sign(body)).expect(400);
    expect(res.text).toBe('');
    expect(await stored()).toBe(0);
  });

  it('verifies the signature whatever Content-Type the request claims', async () => {
    const body = delivery([xeroEvent(9)]);
    await request(app).post('/webhooks/xero').set('Content-Type', 'text/plain').set('x-xero-signature', sign(body)).send(body).expect(200);
    expect(await stored()).toBe(1);
  });
});
