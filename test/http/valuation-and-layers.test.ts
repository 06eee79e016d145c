import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { signIn } from './support/session';
import { expectReconciled, line } from '../support/ledger-checks';
import { dec, Decimal } from '../../server/domain/decimal';
import { today } from '../../server/clock';
import { Actor } from '../../server/services/stock/types';
import { postStockEvent } from '../../server/services/stock/post-event';
import { updateSettings } from '../../server/services/settings';
import { createPurchaseOrder } from '../../server/services/purchasing/create-po';
import { receiveLine } from '../../server/services/goods-in/receive';
import { recordBill } from '../../server/services/bills/record-bill';

let t: TestDb;
let app: Express;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
});
afterAll(async () => { await t.close(); });

/** An API client and a signed-in page agent of the same organisation. */
async function apiAndPages() {
  const c = await givenApiClient(t.db, app);
  const user = await t.db('users').where({ id: c.actor.userId }).first('email');
  return { c, agent: await signIn(app, user.email, 'correct horse battery') };
}

/** The text of each cell of each body row of the first table after `marker` on a page. */
function tableRows(html: string, marker: string): string[][] {
  const table = html.slice(html.indexOf(marker)).split('</table>')[0];
  const body = table.split('<tbody>')[1] ?? '';
  return body.split('</tr>').filter((r) => r.includes('<td')).map((r) => [...r.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()));
}

const addUp = (values: string[]) => values.reduce((a, v) => a.plus(v.replace(/,/g, '')), new Decimal(0)).toFixed(2);

describe('the valuation report', () => {
  it('shows lines that add up to the total shown, which is what the stock account holds, on the API and the page', async () => {
    const { c, agent } = await apiAndPages();
    for (const sku of ['V-1', 'V-2', 'V-3']) await c.post('/api/v1/parts', { sku, name: `Valve ${sku}` }).expect(201);
    // V-1 and V-2 hold 1 x 0.335 each: each part's journal posted 0.34. V-3 holds 1 x 0.335 at MAIN and at B:
    // its exact 0.67 posted 0.67, so its lines carry among themselves: 0.34 then 0.33. The ledger holds 1.35;
    // lines rounded alone would show 1.36, and one carry down the whole list 1.34 (the exact 1.34 rounded).
    await postStockEvent(t.db, c.actor, { kind: 'opening_balance', occurredOn: '2026-11-02',
      lines: [line('V-1', 'MAIN', 1, '0.335'), line('V-2', 'MAIN', 1, '0.335'), line('V-3', 'MAIN', 1, '0.335'), line('V-3', 'B', 1, '0.335')] });
    const ledger = await t.db('journal_lines').where({ tenant_id: c.actor.tenantId, account_role: 'raw_materials' }).sum({ s: 'amount' }).first();
    expect(new Decimal(ledger!.s).toFixed(2)).toBe('1.35');

    for (const url of ['/api/v1/valuation', '/api/v1/valuation?as_at=2026-11-02']) {
      const v = (await c.get(url).expect(200)).body;
      expect(v.lines.map((l: { sku: string; location: string; value: string }) => [l.sku, l.location, l.value]))
        .toEqual([['V-1', 'MAIN', '0.34'], ['V-2', 'MAIN', '0.34'], ['V-3', 'B', '0.34'], ['V-3', 'MAIN', '0.33']]);
      expect(v.total).toBe('1.35');
      expect(addUp(v.lines.map((l: { value: string }) => l.value))).toBe(v.total);
      expect(v.by_account).toEqual([{ role: 'raw_materials', label: 'Raw materials stock', value: '1.35' }]);
    }

    const page = (await agent.get('/valuation').expect(200)).text;
    const rows = tableRows(page, '<table class="grid">');
    expect(rows.map((r) => r[3])).toEqual(['0.34', '0.34', '0.34', '0.33']);
    const total = /id="valuation-total">([^<]+)</.exec(page)![1];
    expect(total).toBe('1.35');
    expect(addUp(rows.map((r) => r[3]))).toBe(total);
    await expectReconciled(t.db, c.actor);
  });
});

describe('a part\'s cost layers', () => {
  const layersOf = async (c: Awaited<ReturnType<typeof apiAndPages>>['c'], sku: string) =>
    (await c.get(`/api/v1/parts/${sku}`).expect(200)).body.layers.map(({ id: _id, ...l }: { id: string }) => l);
  const pageLayers = async (agent: Awaited<ReturnType<typeof apiAndPages>>['agent'], sku: string) =>
    tableRows((await agent.get(`/parts/${sku}`).expect(200)).text, '<table class="grid layers">');

  it('show a weighted-average layer\'s quantity and unit cost now, after a receipt merged into it', async () => {
    const { c, agent } = await apiAndPages();
    await updateSettings(t.db, c.actor.tenantId, { valuationMethod: 'weighted_average' });
    await c.post('/api/v1/parts', { sku: 'WA-1', name: 'Washer' }).expect(201);
    const receive = (qty: number, cost: string) => postStockEvent(t.db, c.actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('WA-1', 'MAIN', qty, cost)] });
    await receive(10, '1.00');
    await receive(10, '2.00');
    // One layer: 10 x 1.00 + 10 x 2.00 = 30.00 over 20, 1.50 each; it was opened with 10 at 1.00.
    expect(await layersOf(c, 'WA-1')).toEqual([
      { location: 'MAIN', lot: null, remaining_qty: '20', unit_cost: '1.5', remaining_value: '30.00', original_qty: '10', original_unit_cost: '1' },
    ]);
    expect(await pageLayers(agent, 'WA-1')).toEqual([['MAIN', '', '20', '1.5', '30.00', '10', '1']]);
    await expectReconciled(t.db, c.actor);
  });

  it('show a layer\'s unit cost now after a bill revalued it', async () => {
    const { c, agent } = await apiAndPages();
    await c.post('/api/v1/parts', { sku: 'BRG-7', name: 'Bearing' }).expect(201);
    const actor: Actor = c.actor;
    const po = (await createPurchaseOrder(t.db, actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: 'BRG-7', quantity: dec(10), unitPrice: dec('2.50') }] })).body;
    await receiveLine(t.db, actor, po.id, { part: 'BRG-7', quantity: dec(10) });
    await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: today(), lines: [line('BRG-7', 'MAIN', 4)] });
    // 6 left at 2.50 = 15.00; billed at 2.80: 6 x 0.30 = 1.80 revalues them to 16.80, 2.80 each (the 4 used go to PPV).
    const bill = (await recordBill(t.db, actor, { supplier: 'Acme', number: 'INV-7', reference: po.number, date: today(), lines: [{ part: 'BRG-7', quantity: dec(10), unitPrice: dec('2.80') }] })).body;
    expect(bill).toMatchObject({ revalued: '1.80', variance: '1.20' });
    expect(await layersOf(c, 'BRG-7')).toEqual([
      { location: 'MAIN', lot: null, remaining_qty: '6', unit_cost: '2.8', remaining_value: '16.80', original_qty: '10', original_unit_cost: '2.5' },
    ]);
    expect(await pageLayers(agent, 'BRG-7')).toEqual([['MAIN', '', '6', '2.8', '16.80', '10', '2.5']]);
    await expectReconciled(t.db, actor);
  });
});
