import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line, onHand, ledgerSnapshot } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { reverseStockEvent } from '../../server/services/stock/reverse-event';
import { updateSettings } from '../../server/services/settings';
import { valuation, reconciliation } from '../../server/services/valuation';
import { stockList, partDetail, eventDetail, listJournals, listEvents, journalDetail } from '../../server/services/queries';
import { Invalid, NotFound } from '../../server/errors';
import { Actor } from '../../server/services/stock/types';

type StockRow = { sku: string; on_hand: string; value: string };

let t: TestDb;
let a: Actor;
let b: Actor;
let bReceiptId: string;
let bJournalId: string;

beforeAll(async () => {
  t = await openTestDb();
  a = await givenOrganisation(t.db);
  b = await givenOrganisation(t.db);
  await givenPart(t.db, a, 'SHARED-1');
  await givenPart(t.db, b, 'SHARED-1');
  await givenPart(t.db, b, 'B-ONLY');
  await postStockEvent(t.db, a, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('SHARED-1', 'MAIN', '2', '10')] });
  const r = await postStockEvent(t.db, b, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('SHARED-1', 'MAIN', '7', '1'), line('B-ONLY', 'B', '3', '4')] });
  bReceiptId = r.body.id;
  bJournalId = r.body.journal!.id;
});
afterAll(async () => { await t.close(); });

async function both<T>(run: () => Promise<T>): Promise<T> {
  const [beforeA, beforeB] = [await ledgerSnapshot(t.db, a), await ledgerSnapshot(t.db, b)];
  const out = await run();
  expect(await ledgerSnapshot(t.db, a)).toEqual(beforeA);
  expect(await ledgerSnapshot(t.db, b)).toEqual(beforeB);
  return out;
}

describe('organisations are kept apart', () => {
  it("treats another organisation's part as unknown, and writes nothing in either", async () => {
    const err = await both(() => postStockEvent(t.db, a, { kind: 'receipt', occurredOn: '2026-11-03', lines: [line('B-ONLY', 'MAIN', '1', '1')] }).catch((e) => e));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'lines.0.part', message: 'Unknown part B-ONLY' }]);

    const multi = await both(() => postStockEvent(t.db, a, { kind: 'receipt', occurredOn: '2026-11-03', lines: [line('SHARED-1', 'MAIN', '1', '1'), line('B-ONLY', 'MAIN', '1', '1')] }).catch((e) => e));
    expect(multi).toBeInstanceOf(Invalid);
    expect(multi.fields).toEqual([{ field: 'lines.1.part', message: 'Unknown part B-ONLY' }]);
  });

  it('books the same SKU and location codes to each organisation separately', async () => {
    expect(await onHand(t.db, a, 'SHARED-1')).toBe('2');
    expect(await onHand(t.db, b, 'SHARED-1')).toBe('7');
    const issue = await postStockEvent(t.db, a, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [line('SHARED-1', 'MAIN', '2')] });
    expect(issue.body.movements[0].value).toBe('-20');
    expect(await onHand(t.db, a, 'SHARED-1')).toBe('0');
    expect(await onHand(t.db, b, 'SHARED-1')).toBe('7');
    // A's stock is gone; B's stock does not count towards A's.
    await expect(postStockEvent(t.db, a, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [line('SHARED-1', 'MAIN', '1')] }))
      .rejects.toThrow('Not enough SHARED-1 at MAIN: on hand 0, requested 1, short by 1');
    await expectReconciled(t.db, a);
    await expectReconciled(t.db, b);
  });

  it("cannot reverse or read another organisation's event or journal", async () => {
    const rev = await both(() => reverseStockEvent(t.db, a, bReceiptId, '2026-11-04', 'not mine').catch((e) => e));
    expect(rev).toBeInstanceOf(NotFound);
    await expect(eventDetail(t.db, a.tenantId, bReceiptId)).rejects.toBeInstanceOf(NotFound);
    await expect(journalDetail(t.db, a.tenantId, bJournalId)).rejects.toBeInstanceOf(NotFound);
    await expect(partDetail(t.db, a.tenantId, 'B-ONLY')).rejects.toBeInstanceOf(NotFound);
    expect((await eventDetail(t.db, b.tenantId, bReceiptId)).movements).toHaveLength(2);
  });

  it('scopes stock lists, valuations, reconciliations, journals and events to the organisation', async () => {
    expect((await stockList(t.db, a.tenantId, {})).parts.map((p: StockRow) => p.sku)).toEqual(['SHARED-1']);
    expect((await stockList(t.db, b.tenantId, {})).parts.map((p: StockRow) => [p.sku, p.on_hand, p.value])).toEqual([['B-ONLY', '3', '12.00'], ['SHARED-1', '7', '7.00']]);
    expect((await valuation(t.db, b.tenantId)).total).toBe('19.00');
    expect((await valuation(t.db, b.tenantId, '2026-12-31')).total).toBe('19.00');
    expect((await reconciliation(t.db, b.tenantId)).accounts.find((x) => x.role === 'raw_materials')).toMatchObject({ layer_value: '19.00', journal_total: '19.00' });
    expect((await partDetail(t.db, b.tenantId, 'SHARED-1')).movements).toHaveLength(1);

    const journalsOfB = await listJournals(t.db, b.tenantId);
    expect(journalsOfB.map((j) => j.id)).toEqual([bJournalId]);
    const journalsOfA = await listJournals(t.db, a.tenantId);
    expect(journalsOfA.some((j) => j.id === bJournalId)).toBe(false);
    expect((await listEvents(t.db, b.tenantId)).map((e) => e.id)).toEqual([bReceiptId]);
  });

  it("applies one organisation's lock date to its own events only", async () => {
    const c = await givenOrganisation(t.db);
    const d = await givenOrganisation(t.db);
    await givenPart(t.db, c, 'LOCK-1');
    await givenPart(t.db, d, 'LOCK-1');
    await updateSettings(t.db, c.tenantId, { lockDate: '2026-11-20' });
    await expect(postStockEvent(t.db, c, { kind: 'receipt', occurredOn: '2026-11-15', lines: [line('LOCK-1', 'MAIN', '1', '1')] })).rejects.toMatchObject({ code: 'period_closed' });
    const ok = await postStockEvent(t.db, d, { kind: 'receipt', occurredOn: '2026-11-15', lines: [line('LOCK-1', 'MAIN', '1', '1')] });
    expect(ok.status).toBe(201);
    await expectReconciled(t.db, c);
    await expectReconciled(t.db, d);
  });

  it("keeps each organisation's valuation method to itself", async () => {
    const fifo = await givenOrganisation(t.db);
    const avg = await givenOrganisation(t.db, { method: 'weighted_average' });
    for (const org of [fifo, avg]) {
      await givenPart(t.db, org, 'METH-1');
      await postStockEvent(t.db, org, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('METH-1', 'MAIN', '1', '1')] });
      await postStockEvent(t.db, org, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('METH-1', 'MAIN', '1', '3')] });
    }
    const outFifo = await postStockEvent(t.db, fifo, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [line('METH-1', 'MAIN', '1')] });
    const outAvg = await postStockEvent(t.db, avg, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [line('METH-1', 'MAIN', '1')] });
    expect(outFifo.body.movements[0].value).toBe('-1');
    expect(outAvg.body.movements[0].value).toBe('-2');
    await expectReconciled(t.db, fifo);
    await expectReconciled(t.db, avg);
  });
});
