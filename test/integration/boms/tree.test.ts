import { openTestDb, TestDb } from '../../support/db';
import { dec } from '../../../server/domain/decimal';
import { today } from '../../../server/clock';
import { Invalid, NotFound, Conflict } from '../../../server/errors';
import { Actor } from '../../../server/services/stock/types';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { createPurchaseOrder } from '../../../server/services/purchasing/create-po';
import { saveBom } from '../../../server/services/boms/save-bom';
import { bomTree } from '../../../server/services/boms/tree';
import { whereUsed } from '../../../server/services/boms/where-used';
import { line } from '../../support/ledger-checks';
import { givenPart } from '../../support/builders';
import { bomLine, givenPumpParts } from './support';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e) => e);

/** The pump of the domain tests: a motor (a stator, 2 bearings + 5 %) and a casing (4 bolts, 0.35 m of sheet + 10 %), plus 8 bolts and an optional manual. */
async function givenPump(): Promise<Actor> {
  const actor = await givenPumpParts(t.db);
  await saveBom(t.db, actor, 'MOTOR', [bomLine('STATOR', 1), bomLine('BEARING', 2, { attritionPct: dec(5) })]);
  await saveBom(t.db, actor, 'CASING', [bomLine('BOLT', 4), bomLine('SHEET', '0.35', { attritionPct: dec(10) })]);
  await saveBom(t.db, actor, 'PUMP', [bomLine('MOTOR', 1, { step: 20 }), bomLine('CASING', 1, { step: 10 }), bomLine('BOLT', 8, { step: 30 }), bomLine('MANUAL', 1, { optional: true })]);
  return actor;
}

describe('the BOM tree', () => {
  it('explodes to every level with each part\'s stock over all locations, and marks what the build is short of', async () => {
    const actor = await givenPump();
    await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: today(), lines: [
      line('BOLT', 'MAIN', 30, '0.10'), line('BEARING', 'MAIN', 10, '4'), line('BEARING', 'B', 2, '4'), line('SHEET', 'MAIN', 2, '15'),
      line('MOTOR', 'MAIN', 1, '80'), line('CASING', 'B', 5, '20'),
    ] });
    await createPurchaseOrder(t.db, actor, { supplier: 'Stators Ltd', location: 'MAIN', lines: [{ part: 'STATOR', quantity: dec(5), unitPrice: dec(30) }] });
    // Job release (the jobs slice) is what allocates stock; set here directly so the figure is seen without it.
    const bearing = await t.db('parts').where({ tenant_id: actor.tenantId, sku: 'BEARING' }).first('id');
    await t.db('stock_balances').where({ tenant_id: actor.tenantId, part_id: bearing.id, lot: '' }).whereIn('location_id', t.db('locations').where({ tenant_id: actor.tenantId, code: 'MAIN' }).select('id')).update({ allocated: '7' });

    const tree = await bomTree(t.db, actor.tenantId, 'PUMP', dec(3));
    const figures = tree.nodes.map((n) => [n.path.join(' > '), n.level, n.required, n.total_required, n.on_hand, n.allocated, n.available, n.on_order, n.short]);
    expect(figures).toEqual([
      ['PUMP', 0, '3', '3', '0', '0', '0', '0', false],
      ['PUMP > MOTOR', 1, '3', '3', '1', '0', '1', '0', true],
      ['PUMP > MOTOR > STATOR', 2, '3', '3', '0', '0', '0', '5', true],
      ['PUMP > MOTOR > BEARING', 2, '6.3', '6.3', '12', '7', '5', '0', true],
      ['PUMP > CASING', 1, '3', '3', '5', '0', '5', '0', false],
      // 12 here and 24 at the top: each fits in 30, together they do not.
      ['PUMP > CASING > BOLT', 2, '12', '36', '30', '0', '30', '0', true],
      ['PUMP > CASING > SHEET', 2, '1.155', '1.155', '2', '0', '2', '0', false],
      ['PUMP > BOLT', 1, '24', '36', '30', '0', '30', '0', true],
      // Optional: shown, but neither counted nor marked short.
      ['PUMP > MANUAL', 1, '3', '0', '0', '0', '0', '0', false],
    ]);
    expect(tree.short_parts).toEqual(['MOTOR', 'STATOR', 'BEARING', 'BOLT']);
    expect(tree.nodes[3]).toMatchObject({ sku: 'BEARING', name: 'Part BEARING', qty_per: '2', attrition_pct: '5', step: null, optional: false, has_bom: false });
    expect(tree.nodes[1]).toMatchObject({ sku: 'MOTOR', qty_per: '1', step: 20, has_bom: true });
    expect(tree.nodes[8]).toMatchObject({ sku: 'MANUAL', optional: true });
  });

  it('builds whole units of a whole-unit assembly, and answers 404 for an unknown one', async () => {
    const actor = await givenPump();
    const half = await refusal(bomTree(t.db, actor.tenantId, 'PUMP', dec('2.5')));
    expect(half).toBeInstanceOf(Invalid);
    expect(half.fields).toEqual([{ field: 'quantity', message: 'PUMP is built in whole each; 2.5 is not a whole number' }]);
    expect(await refusal(bomTree(t.db, actor.tenantId, 'NOPE', dec(1)))).toBeInstanceOf(NotFound);
    // A part with no BOM is a tree of one.
    expect((await bomTree(t.db, actor.tenantId, 'BOLT', dec(1))).nodes.map((n) => n.sku)).toEqual(['BOLT']);
  });

  it('refuses to show a tree too big for one page', async () => {
    const actor = await givenPumpParts(t.db);
    await givenPart(t.db, actor, 'WIDE');
    await saveBom(t.db, actor, 'BEARING', Array.from({ length: 100 }, () => bomLine('BOLT', 1)));
    await saveBom(t.db, actor, 'WIDE', Array.from({ length: 200 }, () => bomLine('BEARING', 1)));
    const err = await refusal(bomTree(t.db, actor.tenantId, 'WIDE', dec(1)));
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toMatch(/^The BOM of WIDE has 20201 lines to every level/);
  });
});

describe('where a part is used', () => {
  it('lists every assembly using it, directly and through sub-assemblies, once per path, nearest first', async () => {
    const actor = await givenPump();
    const bolt = await whereUsed(t.db, actor.tenantId, 'BOLT');
    expect(bolt.used_in.map((u) => [u.sku, u.level, u.path.join(' > '), u.quantity, u.top_level])).toEqual([
      ['CASING', 1, 'CASING > BOLT', '4', false],
      ['PUMP', 1, 'PUMP > BOLT', '8', true],
      ['PUMP', 2, 'PUMP > CASING > BOLT', '4', true],
    ]);
    const bearing = await whereUsed(t.db, actor.tenantId, 'BEARING');
    expect(bearing.used_in.map((u) => [u.sku, u.name, u.level, u.path.join(' > '), u.quantity])).toEqual([
      ['MOTOR', 'Part MOTOR', 1, 'MOTOR > BEARING', '2.1'],
      ['PUMP', 'Part PUMP', 2, 'PUMP > MOTOR > BEARING', '2.1'],
    ]);
    expect((await whereUsed(t.db, actor.tenantId, 'MANUAL')).used_in).toEqual([
      { sku: 'PUMP', name: 'Part PUMP', level: 1, path: ['PUMP', 'MANUAL'], quantity: '1', optional: true, top_level: true },
    ]);
    expect((await whereUsed(t.db, actor.tenantId, 'PUMP')).used_in).toEqual([]);
  });
});
