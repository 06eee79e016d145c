import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line, onHand, ledgerSnapshot, countRows } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { reverseStockEvent } from '../../server/services/stock/reverse-event';
import { hashRequest } from '../../server/services/idempotency';
import { Conflict, InsufficientStock } from '../../server/errors';
import { StockCommand } from '../../server/services/stock/types';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const claim = (key: string, cmd: unknown) => ({ key, requestHash: hashRequest([cmd]) });
const receipt = (sku: string, qty: string, cost: string): StockCommand => ({ kind: 'receipt', occurredOn: '2026-11-02', reference: 'PO-1', lines: [line(sku, 'MAIN', qty, cost)] });
const issueOf = (sku: string, qty: string): StockCommand => ({ kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [line(sku, 'MAIN', qty)] });

describe('idempotency keys', () => {
  it('replays the original answer for the same key and request, and writes nothing new', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'IDEM-1');
    const cmd = receipt('IDEM-1', '4', '2.50');
    const first = await postStockEvent(t.db, actor, cmd, claim('key-1', cmd));
    expect(first).toMatchObject({ status: 201, replayed: false });
    const after = await ledgerSnapshot(t.db, actor);

    const again = await postStockEvent(t.db, actor, cmd, claim('key-1', cmd));
    expect(again.replayed).toBe(true);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(JSON.parse(JSON.stringify(first.body)));
    expect(await ledgerSnapshot(t.db, actor)).toEqual(after);
    expect(await onHand(t.db, actor, 'IDEM-1')).toBe('4');

    const stored = await t.db('idempotency_keys').where({ tenant_id: actor.tenantId, key: 'key-1' }).first();
    expect(stored).toMatchObject({ status_code: 201, request_hash: hashRequest([cmd]) });
    expect(stored.response.id).toBe(first.body.id);
    await expectReconciled(t.db, actor);
  });

  it('refuses the same key with a different request as a 409 Conflict, and writes nothing', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'IDEM-2');
    const cmd = receipt('IDEM-2', '4', '2.50');
    await postStockEvent(t.db, actor, cmd, claim('key-2', cmd));
    const before = await ledgerSnapshot(t.db, actor);

    const other = receipt('IDEM-2', '5', '2.50');
    const err = await postStockEvent(t.db, actor, other, claim('key-2', other)).catch((e) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect(err.status).toBe(409);
    expect(err.message).toBe('Idempotency-Key "key-2" was already used for a different request');
    expect(err.fields).toEqual([{ field: 'Idempotency-Key', message: err.message }]);
    expect(await ledgerSnapshot(t.db, actor)).toEqual(before);
  });

  it('keeps no key for a refused command, so the same request can succeed later', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'IDEM-3');
    const cmd = issueOf('IDEM-3', '2');
    const err = await postStockEvent(t.db, actor, cmd, claim('key-3', cmd)).catch((e) => e);
    expect(err).toBeInstanceOf(InsufficientStock);
    expect(await countRows(t.db, actor, 'idempotency_keys')).toBe(0);

    await postStockEvent(t.db, actor, receipt('IDEM-3', '2', '1'));
    const ok = await postStockEvent(t.db, actor, cmd, claim('key-3', cmd));
    expect(ok.replayed).toBe(false);
    expect(await onHand(t.db, actor, 'IDEM-3')).toBe('0');
    await expectReconciled(t.db, actor);
  });

  it('writes exactly one event for five concurrent requests with the same key', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'IDEM-4');
    const cmd = receipt('IDEM-4', '3', '7');
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => postStockEvent(t.db, actor, cmd, claim('key-4', cmd))));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await countRows(t.db, actor, 'stock_events')).toBe(1);
    expect(await countRows(t.db, actor, 'journals')).toBe(1);
    expect(await countRows(t.db, actor, 'idempotency_keys')).toBe(1);
    expect(await onHand(t.db, actor, 'IDEM-4')).toBe('3');
    await expectReconciled(t.db, actor);
  });

  it('answers concurrent retries of an issue with the original result, not a shortage, when the first took the last stock', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'IDEM-5');
    await postStockEvent(t.db, actor, receipt('IDEM-5', '1', '4'));
    const cmd = issueOf('IDEM-5', '1');
    const settled = await Promise.allSettled([1, 2, 3, 4, 5].map(() => postStockEvent(t.db, actor, cmd, claim('key-5', cmd))));
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    const ids = settled.map((s) => (s.status === 'fulfilled' ? s.value.body.id : null));
    expect(new Set(ids).size).toBe(1);
    expect(await countRows(t.db, actor, 'stock_events')).toBe(2);
    expect(await onHand(t.db, actor, 'IDEM-5')).toBe('0');
    await expectReconciled(t.db, actor);
  });

  it('replays a reversal for its key instead of calling it a second reversal', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'IDEM-6');
    const r = await postStockEvent(t.db, actor, receipt('IDEM-6', '2', '3'));
    const body = { event: r.body.id, occurred_on: '2026-11-04', reason: 'duplicate' };
    const first = await reverseStockEvent(t.db, actor, r.body.id, '2026-11-04', 'duplicate', claim('rev-6', body));
    const again = await reverseStockEvent(t.db, actor, r.body.id, '2026-11-04', 'duplicate', claim('rev-6', body));
    expect(again.replayed).toBe(true);
    expect(again.body.id).toBe(first.body.id);
    // Without the key, a second reversal is a conflict.
    await expect(reverseStockEvent(t.db, actor, r.body.id, '2026-11-04', 'duplicate')).rejects.toBeInstanceOf(Conflict);
    expect(await countRows(t.db, actor, 'stock_events')).toBe(2);
    await expectReconciled(t.db, actor);
  });

  it('scopes keys to the organisation', async () => {
    const a = await givenOrganisation(t.db);
    const b = await givenOrganisation(t.db);
    await givenPart(t.db, a, 'IDEM-7');
    await givenPart(t.db, b, 'IDEM-7');
    const cmd = receipt('IDEM-7', '1', '1');
    const fromA = await postStockEvent(t.db, a, cmd, claim('shared-key', cmd));
    const fromB = await postStockEvent(t.db, b, cmd, claim('shared-key', cmd));
    expect(fromB.replayed).toBe(false);
    expect(fromB.body.id).not.toBe(fromA.body.id);
    expect(await onHand(t.db, b, 'IDEM-7')).toBe('1');
    await expectReconciled(t.db, a);
    await expectReconciled(t.db, b);
  });
});
