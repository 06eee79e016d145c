import { csrfOf } from './support/session';
import { signedUpApp } from './support/signed-up-app';
import { dec } from '../../server/domain/decimal';
import { today } from '../../server/clock';
import { createPart } from '../../server/services/catalogue';
import { postStockEvent } from '../../server/services/stock/post-event';
import { PO_CSV_COLUMNS } from '../../server/services/purchasing/import-pos';

const t = signedUpApp({ organisation: 'Buyers Ltd', name: 'Bea Buyer', email: 'bea@example.com' });
beforeAll(async () => {
  for (const sku of ['BRG-1', 'SCR-M4', 'MOT-1']) await createPart(t.db, t.actor.tenantId, { sku, name: `Part ${sku}` });
  // Ten bearings on the shelf: a PO for bearings is buying what is already there.
  await postStockEvent(t.db, t.actor, { kind: 'opening_balance', occurredOn: today(), lines: [{ part: 'BRG-1', location: 'MAIN', quantity: dec(10), unitCost: dec('2.00') }] });
});

const token = async () => csrfOf((await t.agent.get('/purchase-orders/new').expect(200)).text);

async function purchasingCounts() {
  const count = async (table: string) => Number((await t.db(table).where({ tenant_id: t.actor.tenantId }).count({ n: '*' }).first())!.n);
  return { purchase_orders: await count('purchase_orders'), purchase_order_lines: await count('purchase_order_lines'), suppliers: await count('suppliers'), idempotency_keys: await count('idempotency_keys') };
}

const HEADER = { supplier: 'Acme Bearings', number: '', order_date: '', expected_date: '', currency: '', currency_rate: '', amounts: 'exclusive', location: 'MAIN', reference: '', status: 'open' };
const blankLine = { part: '', quantity: '', purchase_unit: '', units_per_purchase_unit: '', unit_price: '', tax_rate: '' };
/** Line rows named as the browser sends them (lines[0][part]=...); supertest would flatten nested arrays. */
const lineFields = (...rows: Partial<typeof blankLine>[]) =>
  Object.fromEntries(rows.flatMap((row, i) => Object.entries({ ...blankLine, ...row }).map(([k, v]) => [`lines[${i}][${k}]`, v])));

describe('purchase order pages', () => {
  it('creates a PO from the form (skipping a blank row), redirects to it, and shows the buying-less badge on the covered line', async () => {
    const body = {
      ...HEADER, _csrf: await token(), idempotency_key: 'po-form-1',
      ...lineFields(
        { part: 'BRG-1', quantity: '4', unit_price: '2.40', tax_rate: '0' },
        {},
        { part: 'SCR-M4', quantity: '3', purchase_unit: 'box', units_per_purchase_unit: '100', unit_price: '12.50', tax_rate: '20' },
      ),
    };
    const res = await t.agent.post('/purchase-orders/new').type('form').send(body).expect(303);
    expect(res.headers.location).toMatch(/^\/purchase-orders\/[0-9a-f-]{36}$/);
    const id = res.headers.location.split('/').pop();
    const lines = await t.db('purchase_order_lines').where({ tenant_id: t.actor.tenantId, po_id: id }).orderBy('line_no').select('ordered_qty', 'unit_cost', 'tax_rate', 'flag_value');
    expect(lines.map((l) => [dec(l.ordered_qty).toFixed(), dec(l.unit_cost).toFixed(), dec(l.tax_rate).toFixed(), l.flag_value === null ? null : dec(l.flag_value).toFixed(2)]))
      .toEqual([['4', '2.4', '0', '9.60'], ['300', '0.125', '20', null]]);

    const page = (await t.agent.get(res.headers.location).expect(200)).text;
    expect(page).toContain('PO PO-00001');
    expect(page).toMatch(/<tr id="line-1">[\s\S]*?Buying less: 10 free · 9\.60 tied up[\s\S]*?<\/tr>/);
    expect(page).not.toMatch(/<tr id="line-2">[\s\S]*?Buying less:[\s\S]*?<\/tr>/);
    expect(page).toContain(`href="/goods-in/${id}"`);
    expect(page).toMatch(/<input type="hidden" name="status" value="closed">/); // an open PO offers Close

    // The same form sent again (a double tap) shows the same PO and stores nothing more.
    const again = await t.agent.post('/purchase-orders/new').type('form').send(body).expect(303);
    expect(again.headers.location).toBe(res.headers.location);
    expect(Number((await t.db('purchase_orders').where({ tenant_id: t.actor.tenantId }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('re-renders bad lines with the error beside the box, named by form row, and stores nothing', async () => {
    const before = await purchasingCounts();
    const res = await t.agent.post('/purchase-orders/new').type('form').send({
      ...HEADER, supplier: 'Nobody Ltd', _csrf: await token(), idempotency_key: 'po-form-bad',
      ...lineFields({ part: 'BRG-1', quantity: '1', unit_price: '1' }, { part: 'NOPE-9', quantity: '1', unit_price: '1' }),
    }).expect(422);
    expect(res.text).toMatch(/<small class="error" id="e-lines-1-part" role="alert" data-field="lines\.1\.part">Unknown part NOPE-9<\/small>/);
    expect(res.text).toContain('lines.1.part: Unknown part NOPE-9');
    expect(res.text).toContain('value="Nobody Ltd"'); // the form keeps what was typed
    expect(res.text).toContain('name="lines[1][part]" value="NOPE-9"');

    // A parse error on the third row, after a blank second one, is named at the third row.
    const zod = await t.agent.post('/purchase-orders/new').type('form').send({
      ...HEADER, _csrf: await token(), idempotency_key: 'po-form-bad-2',
      ...lineFields({ part: 'BRG-1', quantity: '1', unit_price: '1' }, {}, { part: 'BRG-1', quantity: 'ten', unit_price: '1' }),
    }).expect(422);
    expect(zod.text).toMatch(/data-field="lines\.2\.quantity">must be a number \(got &quot;ten&quot;\)<\/small>/);

    // "More line rows" keeps what was typed, adds six empty rows, and saves nothing.
    const more = await t.agent.post('/purchase-orders/new').type('form')
      .send({ ...HEADER, _csrf: await token(), more_rows: '1', ...lineFields({ part: 'MOT-1', quantity: '2' }, {}, {}, {}, {}, {}) }).expect(200);
    expect(more.text).toContain('name="lines[0][part]" value="MOT-1"');
    expect(more.text).toContain('name="lines[11][part]" value=""');
    expect(more.text).not.toContain('name="lines[12][part]"');
    expect(await purchasingCounts()).toEqual(before);
  });

  it('refuses a form post without the CSRF token with 403 and stores nothing', async () => {
    const before = await purchasingCounts();
    await t.agent.post('/purchase-orders/new').type('form').send({ ...HEADER, ...lineFields({ part: 'BRG-1', quantity: '1', unit_price: '1' }) }).expect(403);
    await t.agent.post('/purchase-orders/new').type('form').send({ ...HEADER, _csrf: 'forged', ...lineFields({ part: 'BRG-1', quantity: '1', unit_price: '1' }) }).expect(403);
    expect(await purchasingCounts()).toEqual(before);
  });

  it('approves a draft, and shows a refused change inline', async () => {
    const res = await t.agent.post('/purchase-orders/new').type('form').send({
      ...HEADER, number: 'PO-DRAFT-1', status: 'draft', _csrf: await token(), idempotency_key: 'po-form-draft',
      ...lineFields({ part: 'MOT-1', quantity: '1', unit_price: '90' }),
    }).expect(303);
    const url = res.headers.location;
    const draft = (await t.agent.get(url).expect(200)).text;
    expect(draft).toContain('>Approve</button>');
    await t.agent.post(`${url}/status`).type('form').send({ status: 'open', _csrf: csrfOf(draft) }).expect(303);
    expect((await t.db('purchase_orders').where({ tenant_id: t.actor.tenantId, number: 'PO-DRAFT-1' }).first('status')).status).toBe('open');
    await t.agent.post(`${url}/status`).type('form').send({ status: 'cancelled', _csrf: csrfOf(draft) }).expect(303);
    const refused = await t.agent.post(`${url}/status`).type('form').send({ status: 'open', _csrf: csrfOf(draft) }).expect(409);
    expect(refused.text).toContain('Purchase order PO-DRAFT-1 is cancelled; it cannot become open');
    expect((await t.db('purchase_orders').where({ tenant_id: t.actor.tenantId, number: 'PO-DRAFT-1' }).first('status')).status).toBe('cancelled');
  });

  it('lists POs by status tab and search, each linking to its page', async () => {
    const open = (await t.agent.get('/purchase-orders').expect(200)).text;
    expect(open).toMatch(/<a href="\/purchase-orders\?status=open" aria-current="page">open<\/a>/);
    expect(open).toMatch(/<a class="rowlink" href="\/purchase-orders\/[0-9a-f-]{36}"><strong>PO-00001<\/strong><\/a>/);
    expect(open).not.toContain('PO-DRAFT-1'); // cancelled
    const cancelled = (await t.agent.get('/purchase-orders?status=cancelled').expect(200)).text;
    expect(cancelled).toContain('<strong>PO-DRAFT-1</strong>');
    expect(cancelled).not.toContain('<strong>PO-00001</strong>');
    const search = (await t.agent.get('/purchase-orders?status=all&q=draft').expect(200)).text;
    expect(search).toContain('<strong>PO-DRAFT-1</strong>');
    expect(search).not.toContain('<strong>PO-00001</strong>');
    // The live search answers with the rows only.
    const rows = await t.agent.get('/purchase-orders?status=all&q=acme').set('HX-Request', 'true').expect(200);
    expect(rows.text).not.toContain('<html');
    expect(rows.text.match(/<tr>/g)).toHaveLength(2);
  });

  it('shows the buying-less card on the stock page and the flagged lines behind it', async () => {
    const stock = (await t.agent.get('/stock').expect(200)).text;
    expect(stock).toMatch(/<a class="card po-dashboard-card" href="\/purchase-orders\/flags"[\s\S]*?data-figure="buying_less">9\.60<\/span>/);
    const flags = (await t.agent.get('/purchase-orders/flags').expect(200)).text;
    expect(flags).toMatch(/<strong>PO-00001<\/strong>[\s\S]*?Acme Bearings[\s\S]*?BRG-1[\s\S]*?<td class="num">4<\/td><td class="num">4<\/td><td class="num">10<\/td><td class="num">9\.60<\/td>/);
  });
});

describe('importing POs from the page', () => {
  const csv = (...rows: string[]) => [PO_CSV_COLUMNS.join(','), ...rows].join('\n');

  it('imports an uploaded file (token in the X-CSRF-Token header) and reports the POs and flagged lines', async () => {
    const tok = await token();
    const res = await t.agent.post('/purchase-orders/import').set('X-CSRF-Token', tok)
      .field('idempotency_key', 'import-page-1')
      .attach('file', Buffer.from(csv('PO-IMP-1,Acme Bearings,,,,,,MAIN,BRG-1,,2,,,2.40,,', 'PO-IMP-2,Euro Motors,,,EUR,1.25,,MAIN,MOT-1,,1,,,125,,')), { filename: 'pos.csv', contentType: 'text/csv' })
      .expect(200);
    expect(res.text).toMatch(/Imported 2 purchase order\(s\):/);
    // 10 on hand and 4 on order on PO-00001: 14 free, so the 2 ordered are flagged at 2 x 2.40.
    expect(res.text).toMatch(/>PO-IMP-1<\/a><\/td><td>1<\/td><td>BRG-1<\/td><td class="num">2<\/td><td class="num">14<\/td><td class="num">4\.80<\/td>/);
    const mot = await t.db('purchase_order_lines as pl').join('purchase_orders as o', 'o.id', 'pl.po_id').where({ 'o.tenant_id': t.actor.tenantId, 'o.number': 'PO-IMP-2' }).first('pl.unit_cost');
    expect(dec(mot.unit_cost).toFixed()).toBe('100');
  });

  it('imports pasted CSV from a plain form post, and lists every bad row without storing anything', async () => {
    const before = await purchasingCounts();
    const res = await t.agent.post('/purchase-orders/import').type('form')
      .send({ _csrf: await token(), csv: csv('PO-IMP-3,Acme Bearings,,,,,,MAIN,NOPE-9,,1,,,1,,', 'PO-IMP-3,,,,,,,,BRG-1,,-1,,,1,,') })
      .expect(422);
    expect(res.text).toContain('The CSV has 2 problem(s); nothing was imported');
    expect(res.text).toMatch(/<li>row 2, sku: Unknown part NOPE-9<\/li>\s*<li>row 3, quantity: must be greater than zero<\/li>/);
    expect(await purchasingCounts()).toEqual(before);
  });

  it('refuses an upload without the CSRF token', async () => {
    const before = await purchasingCounts();
    await t.agent.post('/purchase-orders/import').attach('file', Buffer.from(csv('PO-IMP-9,Acme,,,,,,MAIN,BRG-1,,1,,,1,,')), 'pos.csv').expect(403);
    expect(await purchasingCounts()).toEqual(before);
  });
});

describe('goods-in settings', () => {
  it('saves the over-receipt tolerance and the receipt posting policy', async () => {
    const page = (await t.agent.get('/settings').expect(200)).text;
    expect(page).toContain('name="over_receipt_tolerance_pct" inputmode="decimal" value="5"');
    await t.agent.post('/settings').type('form').send({ _csrf: csrfOf(page), over_receipt_tolerance_pct: '12.5', receipt_journal_per: 'delivery' }).expect(303);
    const row = await t.db('tenants').where({ id: t.actor.tenantId }).first('over_receipt_tolerance_pct', 'receipt_journal_per');
    expect([dec(row.over_receipt_tolerance_pct).toFixed(), row.receipt_journal_per]).toEqual(['12.5', 'delivery']);
    const after = (await t.agent.get('/settings').expect(200)).text;
    expect(after).toContain('value="12.5"');
    expect(after).toMatch(/<option value="delivery" selected>/);
  });

  it('shows a bad tolerance and a bad policy beside their boxes and changes nothing', async () => {
    const page = (await t.agent.get('/settings').expect(200)).text;
    const res = await t.agent.post('/settings').type('form').send({ _csrf: csrfOf(page), over_receipt_tolerance_pct: '1500', receipt_journal_per: 'week' }).expect(422);
    expect(res.text).toMatch(/<small class="error" id="e-over_receipt_tolerance_pct" role="alert">must be a percentage from 0 to 1000<\/small>/);
    expect(res.text).toContain('value="1500"'); // what was typed stays in the box
    expect(res.text).toMatch(/<small class="error" role="alert">must be line \(a journal per verified line\) or delivery/);
    const row = await t.db('tenants').where({ id: t.actor.tenantId }).first('over_receipt_tolerance_pct', 'receipt_journal_per');
    expect([dec(row.over_receipt_tolerance_pct).toFixed(), row.receipt_journal_per]).toEqual(['12.5', 'delivery']);
  });
});
