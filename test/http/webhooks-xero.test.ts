import request from 'supertest';
import { Express } from 'express';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { openTestDb, TestDb } from '../support/db';
import { delivery, intentToReceive, sign, xeroEvent, XERO_WEBHOOK_KEY } from '../webhooks/xero-deliveries';
import { drainWebhooks } from '../../server/jobs/webhook-worker';

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
    // (An events array holding a malformed event is a payload: see "events we cannot use".)
    const body = JSON.stringify({ resources: [{ resourceId: 'x' }] });
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

describe('events we cannot use', () => {
  it('acknowledges a delivery holding them (200), and records each bad event failed with its reason, processing the rest', async () => {
    const good = xeroEvent(1);
    const bad = [
      xeroEvent(2, { resourceId: 'INV\u0000-2' }),
      xeroEvent(3, { data: { Note: 'half \ud800 a pair' } }),
      xeroEvent(4, { eventDateUtc: '0001-01-01T00:00:00' }),
      xeroEvent(5, { eventDateUtc: '+275760-09-13T00:00:00.000Z' }),
    ];
    const body = delivery([good, ...bad]);
    await post(body, sign(body)).expect(200);
    await post(body, sign(body)).expect(200); // Xero's redelivery stores nothing twice
    expect(await stored()).toBe(5);

    const handled: string[] = [];
    await drainWebhooks(t.db, { xero: { INVOICE: async (e) => { handled.push(e.resourceId); } } });
    const rows = await t.db('webhook_events').orderBy('received_at').orderBy('resource_id').select('resource_id', 'status', 'last_error');
    expect(handled).toEqual([good.resourceId]);
    expect(Object.fromEntries(rows.map((r) => [r.resource_id, [r.status, r.last_error]]))).toEqual({
      [good.resourceId]: ['processed', null],
      'INV\ufffd-2': ['dead', 'xero sent an event that cannot be processed: resourceUrl contains a NUL character (\\u0000), which cannot be stored; remove it'],
      [bad[1].resourceId]: ['dead', expect.stringMatching(/^xero sent an event that cannot be processed: data.Note contains a broken character/)],
      [bad[2].resourceId]: ['dead', 'xero sent an event that cannot be processed: eventDateUtc "0001-01-01T00:00:00" is not a date between 2000 and 2100'],
      [bad[3].resourceId]: ['dead', 'xero sent an event that cannot be processed: eventDateUtc "+275760-09-13T00:00:00.000Z" is not a date between 2000 and 2100'],
    });
  });
});
