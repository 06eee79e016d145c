import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation } from '../support/builders';
import { drainWebhooks, WebhookHandlers, MAX_ATTEMPTS } from '../../server/jobs/webhook-worker';
import { recordWebhookEvents, WebhookEvent } from '../../server/services/webhook-inbox';
import { parseXeroDelivery } from '../../webhooks/xero';
import { ConnectionWaitError } from '../../server/connectors/accounting-connector';
import { delivery, xeroEvent } from '../webhooks/xero-deliveries';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });
beforeEach(async () => { await t.db('webhook_events').del(); });

/** Stores Xero events as the webhook endpoint does; answers their ids in the order given. */
async function givenEvents(...events: ReturnType<typeof xeroEvent>[]): Promise<string[]> {
  await recordWebhookEvents(t.db, 'xero', parseXeroDelivery(Buffer.from(delivery(events)))!);
  const rows = await t.db('webhook_events').select('id', 'resource_id');
  return events.map((e) => rows.find((r) => r.resource_id === e.resourceId)!.id);
}

/** A handler for one category that records each call; `fail` decides per call whether to throw. */
function recording(category: string, fail?: (call: number) => Error | null, delayMs = 0) {
  const calls: WebhookEvent[] = [];
  const handlers: WebhookHandlers = {
    xero: {
      [category]: async (event) => {
        calls.push(event);
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        const err = fail?.(calls.length);
        if (err) throw err;
      },
    },
  };
  return { handlers, calls };
}

const eventRow = (id: string) => t.db('webhook_events').where({ id }).first();
const secondsUntilNextAttempt = async (id: string) =>
  Number((await t.db.raw('select extract(epoch from (next_attempt_at - now())) as s from webhook_events where id = ?', [id])).rows[0].s);
const makeDue = (id: string) => t.db('webhook_events').where({ id }).update({ next_attempt_at: t.db.raw("now() - interval '1 second'") });

describe('the webhook worker', () => {
  it('runs the handler registered for the event\'s category and marks the event processed', async () => {
    const [id] = await givenEvents(xeroEvent(1));
    const { handlers, calls } = recording('INVOICE');
    expect(await drainWebhooks(t.db, handlers)).toBe(1);
    expect(calls.map((e) => [e.id, e.provider, e.category, e.type, e.externalTenantId])).toEqual([[id, 'xero', 'INVOICE', 'UPDATE', xeroEvent(1).tenantId]]);
    expect(calls[0].payload).toEqual(xeroEvent(1));
    const row = await eventRow(id);
    expect(row).toMatchObject({ status: 'processed', attempts: 1, last_error: null });
    expect(row.processed_at).not.toBeNull();
    expect(await drainWebhooks(t.db, handlers)).toBe(0);
  });

  it('schedules a retry with a growing wait when the handler fails, and retries only when due', async () => {
    const [id] = await givenEvents(xeroEvent(1));
    const { handlers, calls } = recording('INVOICE', (call) => (call <= 2 ? new Error(`Xero answered 503 (call ${call})`) : null));
    await drainWebhooks(t.db, handlers);
    expect(await eventRow(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'Xero answered 503 (call 1)', processed_at: null });
    const firstWait = await secondsUntilNextAttempt(id);
    expect(firstWait).toBeGreaterThan(25);
    expect(firstWait).toBeLessThanOrEqual(30);

    await drainWebhooks(t.db, handlers); // not due yet
    expect(calls).toHaveLength(1);

    await makeDue(id);
    await drainWebhooks(t.db, handlers);
    expect(await eventRow(id)).toMatchObject({ status: 'failed', attempts: 2, last_error: 'Xero answered 503 (call 2)' });
    const secondWait = await secondsUntilNextAttempt(id);
    expect(secondWait).toBeGreaterThan(55);
    expect(secondWait).toBeLessThanOrEqual(60);

    await makeDue(id);
    await drainWebhooks(t.db, handlers);
    expect(await eventRow(id)).toMatchObject({ status: 'processed', attempts: 3, last_error: null });
    expect(calls).toHaveLength(3);
  });

  it(`marks an event dead with its error on the ${MAX_ATTEMPTS}th failed attempt and never runs it again`, async () => {
    const [id] = await givenEvents(xeroEvent(1));
    await t.db('webhook_events').where({ id }).update({ status: 'failed', attempts: MAX_ATTEMPTS - 1 });
    const { handlers, calls } = recording('INVOICE', () => new Error('invoice 717f2bfc not found'));
    await drainWebhooks(t.db, handlers);
    expect(await eventRow(id)).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS, last_error: 'invoice 717f2bfc not found' });
    await makeDue(id);
    await drainWebhooks(t.db, handlers);
    expect(calls).toHaveLength(1);
  });

  it('cuts a long error to 2000 characters', async () => {
    const [id] = await givenEvents(xeroEvent(1));
    await drainWebhooks(t.db, recording('INVOICE', () => new Error('x'.repeat(5000))).handlers);
    expect((await eventRow(id)).last_error).toHaveLength(2000);
  });

  it('leaves an event with no handler pending, uncounted, with the reason, and looks again later', async () => {
    const [invoice, contact] = await givenEvents(xeroEvent(1), xeroEvent(2, { eventCategory: 'CONTACT' }));
    const { handlers, calls } = recording('CONTACT');
    await drainWebhooks(t.db, handlers);
    expect(calls.map((e) => e.id)).toEqual([contact]);
    expect(await eventRow(invoice)).toMatchObject({ status: 'pending', attempts: 0, last_error: 'no handler for INVOICE events yet', processed_at: null });
    expect(await secondsUntilNextAttempt(invoice)).toBeGreaterThan(4 * 60);
    // Once its handler exists (a deploy later), the event is processed.
    await makeDue(invoice);
    const later = recording('INVOICE');
    await drainWebhooks(t.db, later.handlers);
    expect(later.calls.map((e) => e.id)).toEqual([invoice]);
    expect(await eventRow(invoice)).toMatchObject({ status: 'processed', attempts: 1, last_error: null });
  });

  it('records the organisation the connection names for the provider\'s tenant, and hands it to the handler', async () => {
    const actor = await givenOrganisation(t.db);
    const [ours, unknown, parked] = await givenEvents(xeroEvent(1), xeroEvent(2, { tenantId: 'not-connected' }), xeroEvent(3, { eventCategory: 'CONTACT' }));
    const asked: string[] = [];
    const resolveTenant = async (provider: string, externalTenantId: string) => {
      asked.push(`${provider}:${externalTenantId}`);
      return externalTenantId === xeroEvent(1).tenantId ? actor.tenantId : null;
    };
    const { handlers, calls } = recording('INVOICE');
    await drainWebhooks(t.db, handlers, { resolveTenant });
    // Claimed in no particular order: they were all due at once.
    expect(new Map(calls.map((e) => [e.id, e.tenantId]))).toEqual(new Map([[ours, actor.tenantId], [unknown, null]]));
    expect(asked.sort()).toEqual([`xero:${xeroEvent(1).tenantId}`, `xero:${xeroEvent(1).tenantId}`, 'xero:not-connected']);
    expect((await eventRow(ours)).tenant_id).toBe(actor.tenantId);
    expect((await eventRow(unknown)).tenant_id).toBeNull();
    // An event waiting for its handler is matched too, so it shows on the organisation's page.
    expect(await eventRow(parked)).toMatchObject({ tenant_id: actor.tenantId, status: 'pending', last_error: 'no handler for CONTACT events yet' });
  });

  it('runs each event exactly once when two workers drain at the same time', async () => {
    const ids = await givenEvents(...Array.from({ length: 24 }, (_, i) => xeroEvent(i + 1)));
    const { handlers, calls } = recording('INVOICE', undefined, 5);
    const [a, b] = await Promise.all([drainWebhooks(t.db, handlers), drainWebhooks(t.db, handlers)]);
    expect(a + b).toBe(24);
    const perEvent = new Map<string, number>();
    for (const e of calls) perEvent.set(e.id, (perEvent.get(e.id) ?? 0) + 1);
    expect([...perEvent.keys()].sort()).toEqual([...ids].sort());
    expect([...perEvent.values()].every((n) => n === 1)).toBe(true);
    if (t.kind === 'postgres') expect(Math.min(a, b)).toBeGreaterThan(0); // both really worked, side by side
    const rows = await t.db('webhook_events').select('status', 'attempts');
    expect(rows.every((r) => r.status === 'processed' && r.attempts === 1)).toBe(true);
  });
});

describe('events waiting for a reconnect', () => {
  it('waits as long as the connection asks without using up attempts, so it is never marked dead while disconnected', async () => {
    const [id] = await givenEvents(xeroEvent(501));
    const { handlers, calls } = recording('INVOICE', () => new ConnectionWaitError('Xero needs reconnecting'));
    for (let round = 0; round < MAX_ATTEMPTS + 2; round++) {
      await makeDue(id);
      await drainWebhooks(t.db, handlers);
    }
    expect(calls).toHaveLength(MAX_ATTEMPTS + 2);
    expect(await eventRow(id)).toMatchObject({ status: 'failed', attempts: 0, last_error: 'Xero needs reconnecting' });
    expect(await secondsUntilNextAttempt(id)).toBeGreaterThan(14 * 60);
  });
});
