import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled } from '../../support/ledger-checks';
import { dec } from '../../../server/domain/decimal';
import { nextDay } from '../../../server/domain/dates';
import { receiveLine, rejectLine } from '../../../server/services/goods-in/receive';
import { finishDelivery } from '../../../server/services/goods-in/deliveries';
import { deliveryView } from '../../../server/services/purchasing/views';
import { updateSettings } from '../../../server/services/settings';
import { today } from '../../../server/clock';
import { Invalid, PeriodClosed } from '../../../server/errors';
import { givenPo, jl, refusedCleanly, setJournalPer } from './helpers';

// Goods-in receipts carry the business date the goods arrived: the delivery, the stock event
// and the journal are dated that day; the future and locked periods are refused as for any event.

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const daysAgo = (n: number) => new Date(Date.parse(`${today()}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

describe('the business date of a goods-in receipt', () => {
  it('records a receipt dated in the open past on that day, with its delivery and journal', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'DATED-1');
    const po = await givenPo(t.db, actor, [{ part: 'DATED-1', qty: 10, price: '3' }]);
    const on = daysAgo(3);

    const r = (await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(4), occurredOn: on })).body;
    const event = await t.db('stock_events').where({ tenant_id: actor.tenantId, id: r.event_id }).first();
    expect(event.occurred_on).toBe(on);
    const moves = await t.db('stock_movements').where({ tenant_id: actor.tenantId, event_id: r.event_id }).pluck('occurred_on');
    expect(moves).toEqual([on]);
    expect(r.journal!.date).toBe(on);
    const stored = await t.db('journals').where({ tenant_id: actor.tenantId, id: r.journal!.id }).first('journal_date');
    expect(stored.journal_date).toBe(on);
    expect(jl(r.journal)).toEqual([['raw_materials', '12.00', '0.00'], ['grni', '0.00', '12.00']]);
    expect((await deliveryView(t.db, actor.tenantId, r.receipt_line.delivery_id)).received_on).toBe(on);

    // Goods arriving today are another day's delivery, dated today.
    const later = (await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(1) })).body;
    expect(later.receipt_line.delivery_id).not.toBe(r.receipt_line.delivery_id);
    expect(later.journal!.date).toBe(today());
    expect((await deliveryView(t.db, actor.tenantId, r.receipt_line.delivery_id)).status).toBe('completed');
    await expectReconciled(t.db, actor);
  });

  it('dates a delivery\'s one journal on the day its goods arrived', async () => {
    const actor = await givenOrganisation(t.db);
    await setJournalPer(t.db, actor, 'delivery');
    await givenPart(t.db, actor, 'DATED-2');
    const po = await givenPo(t.db, actor, [{ part: 'DATED-2', qty: 10, price: '2' }]);
    const on = daysAgo(5);
    const r = (await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(3), occurredOn: on })).body;
    await rejectLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(1), reason: 'dented', occurredOn: on });
    const d = await finishDelivery(t.db, actor, r.receipt_line.delivery_id);
    expect(d.lines).toHaveLength(2);
    expect(d.journal).toMatchObject({ date: on });
    expect(jl(d.journal)).toEqual([['raw_materials', '6.00', '0.00'], ['grni', '0.00', '6.00']]);
    await expectReconciled(t.db, actor);
  });

  it('refuses a date in the future, naming occurred_on, and changes nothing', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'DATED-3');
    const po = await givenPo(t.db, actor, [{ part: 'DATED-3', qty: 10, price: '2' }]);
    const future = nextDay(nextDay(today()));
    const err = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(1), occurredOn: future }));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'occurred_on', message: expect.stringContaining(`${future} is in the future`) }]);
    const rej = await refusedCleanly(t.db, actor, () => rejectLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(1), reason: 'x', occurredOn: future }));
    expect(rej.fields[0].field).toBe('occurred_on');
  });

  it('refuses a date inside the locked period, naming occurred_on, and changes nothing', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'DATED-4');
    const po = await givenPo(t.db, actor, [{ part: 'DATED-4', qty: 10, price: '2' }]);
    // An open delivery from earlier today must not be finished by the refused receipt.
    await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(1) });
    await updateSettings(t.db, actor.tenantId, { lockDate: daysAgo(10) });
    const err = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(1), occurredOn: daysAgo(10) }));
    expect(err).toBeInstanceOf(PeriodClosed);
    expect(err.fields).toEqual([{ field: 'occurred_on', message: `Date ${daysAgo(10)} is inside the locked period (lock date ${daysAgo(10)}); use a date after ${daysAgo(10)}` }]);
    // The day after the lock date is open.
    const ok = (await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(1), occurredOn: daysAgo(9) })).body;
    expect(ok.journal!.date).toBe(daysAgo(9));
  });
});
