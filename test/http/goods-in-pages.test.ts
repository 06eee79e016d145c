import request from 'supertest';
import { csrfOf, signIn as signInAs } from './support/session';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { createOrganisation, addUser } from '../../server/services/auth/accounts';
import { createPart } from '../../server/services/catalogue';
import { createPurchaseOrder } from '../../server/services/purchasing/create-po';
import { PoLineInput, PurchaseOrderView } from '../../server/services/purchasing/types';
import { dec } from '../../server/domain/decimal';
import { Actor } from '../../server/services/stock/types';

// The goods-in pages over HTTP, as a browser without JavaScript (plain form posts, 303) and as
// htmx (HX-Request: fragments). Every write is checked in the database; every refusal too.

// Generous: the set-up hashes three passwords and the shared CI machine may be busy.
jest.setTimeout(120_000);

type Agent = ReturnType<typeof request.agent>;
const ADMIN = { email: 'ada@goods-in.example', password: 'correct horse battery' };
const OPS = { email: 'otto@goods-in.example', password: 'operations password 1' };
const BOOK = { email: 'bea@goods-in.example', password: 'bookkeeper password 1' };
const BRG_BARCODE = '5012345000011';

let t: TestDb;
let app: Express;
let actor: Actor;
let admin: Agent;
let ops: Agent;
let book: Agent;
let poA: PurchaseOrderView; // Acme: BRG-1 (2 box of 10), PUMP-1 (serial, 3), RESIN-1 (lot, 5 kg)
let poB: PurchaseOrderView; // Zenith: BRG-1 (1)
let draft: PurchaseOrderView;
let brg: string;
let pump: string;
let resin: string;

const signIn = (creds: { email: string; password: string }): Promise<Agent> => signInAs(app, creds.email, creds.password);

async function newPo(supplier: string, lines: PoLineInput[], status: 'open' | 'draft' = 'open'): Promise<PurchaseOrderView> {
  return (await createPurchaseOrder(t.db, actor, { supplier, location: 'MAIN', expectedDate: '2026-12-01', status, lines })).body;
}

/** One line's card on the receipt page; its first one-time key is the Receive form's, the second the Reject form's. */
function article(html: string, lineId: string): string {
  const start = html.indexOf(`id="line-${lineId}"`);
  if (start < 0) throw new Error(`no line ${lineId} on the page`);
  return html.slice(start, html.indexOf('</article>', start));
}
function keys(html: string, lineId: string): string[] {
  return [...article(html, lineId).matchAll(/name="idempotency_key" value="([^"]+)"/g)].map((m) => m[1]);
}

async function receiptPage(agent: Agent, po: PurchaseOrderView) {
  const html = (await agent.get(`/goods-in/${po.id}`).expect(200)).text;
  return { html, csrf: csrfOf(html) };
}

/** The form a line's Receive button posts, with a fresh one-time key from the page. */
async function receiveForm(agent: Agent, po: PurchaseOrderView, lineId: string, fields: Record<string, string>) {
  const { html, csrf } = await receiptPage(agent, po);
  return { _csrf: csrf, idempotency_key: keys(html, lineId)[0], line: lineId, ...fields };
}

async function counts(): Promise<Record<string, number>> {
  const tables = ['receipt_lines', 'deliveries', 'stock_events', 'stock_movements', 'journals', 'serials', 'idempotency_keys'];
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = Number((await t.db(table).count({ n: '*' }).first())!.n);
  return out;
}

async function onHand(sku: string): Promise<string> {
  const row = await t.db('stock_balances as b').join('parts as p', 'p.id', 'b.part_id').where({ 'p.sku': sku, 'b.tenant_id': actor.tenantId }).sum({ q: 'b.on_hand' }).first();
  return String(Number(row?.q ?? 0));
}

async function poLine(lineId: string) {
  const row = await t.db('purchase_order_lines').where({ id: lineId }).first('received_qty', 'rejected_qty');
  return { received: String(Number(row.received_qty)), rejected: String(Number(row.rejected_qty)) };
}

beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  const user = await createOrganisation(t.db, { organisation: 'Goods-in Works', name: 'Ada Admin', email: ADMIN.email, password: ADMIN.password });
  actor = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  await addUser(t.db, actor.tenantId, { ...OPS, name: 'Otto Operator', role: 'operations' });
  await addUser(t.db, actor.tenantId, { ...BOOK, name: 'Bea Books', role: 'bookkeeper' });
  await createPart(t.db, actor.tenantId, { sku: 'BRG-1', name: 'Bearing 6204', barcode: BRG_BARCODE });
  await createPart(t.db, actor.tenantId, { sku: 'PUMP-1', name: 'Pump head', tracking: 'serial', barcode: '5012345000028' });
  await createPart(t.db, actor.tenantId, { sku: 'RESIN-1', name: 'Epoxy resin', tracking: 'lot', unit: 'kg', fractional: true });
  await createPart(t.db, actor.tenantId, { sku: 'GASKET-1', name: 'Gasket' });
  poA = await newPo('Acme Bearings', [
    { part: 'BRG-1', quantity: dec(2), purchaseUnit: 'box', unitsPerPurchaseUnit: dec(10), unitPrice: dec('25') },
    { part: 'PUMP-1', quantity: dec(3), unitPrice: dec('100') },
    { part: 'RESIN-1', quantity: dec(5), unitPrice: dec('4') },
  ]);
  [brg, pump, resin] = poA.lines.map((l) => l.id);
  poB = await newPo('Zenith Pumps', [{ part: 'BRG-1', quantity: dec(1), unitPrice: dec('3') }]);
  draft = await newPo('Drafty Ltd', [{ part: 'GASKET-1', quantity: dec(4), unitPrice: dec('1') }], 'draft');
  [admin, ops, book] = await Promise.all([signIn(ADMIN), signIn(OPS), signIn(BOOK)]);
}, 180_000);
afterAll(async () => { await t.close(); });

describe('GET /goods-in and the scan that opens a PO', () => {
  it('lists the open POs with supplier, expected date and lines outstanding, polled every 10 s; not drafts', async () => {
    const html = (await ops.get('/goods-in').expect(200)).text;
    const row = (po: PurchaseOrderView) => new RegExp(`<tr data-po="${po.number}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
    expect(row(poA)).toContain('Acme Bearings');
    expect(row(poA)).toContain('2026-12-01');
    expect(row(poA)).toMatch(/<td class="num">3 of 3<\/td>/);
    expect(row(poA)).toContain(`href="/goods-in/${poA.id}"`);
    expect(row(poB)).toMatch(/<td class="num">1 of 1<\/td>/);
    expect(html).not.toContain(draft.number);
    expect(html).toContain('<tbody id="po-rows" hx-get="/goods-in" hx-trigger="every 10s" hx-include="[name=q]">');
  });

  it('answers the htmx search by supplier or PO number with only the rows', async () => {
    const bySupplier = await ops.get('/goods-in?q=zenith').set('HX-Request', 'true').expect(200);
    expect(bySupplier.text).not.toMatch(/<html|<header|<table/);
    expect(bySupplier.text.trim()).toMatch(/^<tr data-po="/);
    expect(bySupplier.text).toContain(poB.number);
    expect(bySupplier.text).not.toContain(poA.number);
    const byNumber = await ops.get(`/goods-in?q=${poA.number.toLowerCase()}`).set('HX-Request', 'true').expect(200);
    expect([byNumber.text.includes(poA.number), byNumber.text.includes(poB.number)]).toEqual([true, false]);
    const none = await ops.get('/goods-in?q=nobody').set('HX-Request', 'true').expect(200);
    expect(none.text).toContain('No open purchase order matches “nobody”.');
  });

  it('opens a PO from its scanned number, or from a part only one open PO expects', async () => {
    const byNumber = await ops.get(`/goods-in/scan?code=${encodeURIComponent(` ${poA.number.toLowerCase()} `)}`).expect(303);
    expect(byNumber.headers.location).toBe(`/goods-in/${poA.id}`);
    const byBarcode = await ops.get('/goods-in/scan?code=5012345000028').expect(303);
    expect(byBarcode.headers.location).toBe(`/goods-in/${poA.id}`);
    // A boosted (htmx) scan is told where to go.
    const boosted = await ops.get('/goods-in/scan?code=PUMP-1').set('HX-Request', 'true').set('HX-Boosted', 'true').expect(204);
    expect(boosted.headers['hx-redirect']).toBe(`/goods-in/${poA.id}`);
  });

  it('lists the POs when a scanned part is expected on several, and names an unknown code', async () => {
    const several = await ops.get(`/goods-in/scan?code=${BRG_BARCODE}`).expect(200);
    expect(several.text).toContain(`${BRG_BARCODE} is expected on 2 open purchase orders: choose one`);
    expect(several.text).toContain(`href="/goods-in/${poA.id}"`);
    expect(several.text).toContain(`href="/goods-in/${poB.id}"`);
    const unknown = await ops.get('/goods-in/scan?code=NOPE-9').expect(404);
    expect(unknown.text).toMatch(/<small class="error" id="e-code" role="alert">Nothing matches “NOPE-9”: no purchase order number, part barcode or SKU<\/small>/);
    const notExpected = await ops.get('/goods-in/scan?code=GASKET-1').expect(404);
    expect(notExpected.text).toContain('GASKET-1 (Gasket) is not expected on any open purchase order');
    const empty = await ops.get('/goods-in/scan?code=').expect(422);
    expect(empty.text).toContain('Scan or type a PO number, or a part barcode or SKU');
  });

  it('is for admin and operations: a bookkeeper is refused', async () => {
    const res = await book.get('/goods-in').expect(403);
    expect(res.text).toContain('This needs the admin or operations role');
  });
});

describe('the Parts Receipt page', () => {
  it('shows the header and each expected line in stock and purchase units, with the actions its tracking needs', async () => {
    const { html } = await receiptPage(ops, poA);
    expect(html).toContain(`<h1>Parts Receipt · ${poA.number}</h1>`);
    expect(html).toMatch(/<dt>Supplier<\/dt><dd>Acme Bearings<\/dd>/);
    expect(html).toMatch(/<dt>Deliver to<\/dt><dd>MAIN<\/dd>/);
    expect(html).toMatch(/<dt>Currency<\/dt><dd>GBP<\/dd>/);
    expect(html).toContain('<span id="po-status" class="status status-po-open">open</span>');
    const bearing = article(html, brg);
    expect(bearing).toContain('<dd data-fig="ordered">20 <span class="unit">each</span><small>2 box of 10</small></dd>');
    expect(bearing).toContain('<dd data-fig="outstanding">20 <span class="unit">each</span><small>2 box</small></dd>');
    expect(bearing).toContain(`name="qty[${brg}]"`);
    expect(bearing).toContain('inputmode="decimal"');
    expect(bearing).toContain('All arrived · 2 box');
    expect(article(html, resin)).toContain(`name="lot[${resin}]"`);
    expect(article(html, pump)).toContain('name="serial_entry"');
    expect(article(html, pump)).not.toContain(`name="qty[${pump}]"`);
    expect(html).toContain(`hx-get="/goods-in/${poA.id}/figures" hx-trigger="every 5s" hx-swap="none"`);
    expect(html).toContain('Nothing verified yet');
  });

  it('shows a PO that is not open read-only, with its status', async () => {
    const html = (await ops.get(`/goods-in/${draft.id}`).expect(200)).text;
    expect(html).toContain('<span id="po-status" class="status status-po-draft">draft</span>');
    expect(html).toContain('it must be approved before goods can be received');
    expect(html).not.toContain('class="gi-receive"');
    expect(html).not.toContain('every 5s');
    await ops.get('/goods-in/not-a-po').expect(404);
  });
});

describe('verifying lines', () => {
  it('refuses a bad quantity with 422 beside its line, naming the part and the field, and changes nothing', async () => {
    const before = await counts();
    const form = await receiveForm(ops, poA, brg, { [`qty[${brg}]`]: 'ten' });
    const res = await ops.post(`/goods-in/${poA.id}/receive`).type('form').send(form).expect(422);
    const line = article(res.text, brg);
    expect(line).toContain(`<small class="error" id="e-quantity-${brg}" role="alert">must be a number (got &quot;ten&quot;)</small>`);
    expect(line).toContain('<strong>Nothing was saved.</strong> BRG-1: quantity must be a number (got &quot;ten&quot;)');
    expect(line).toMatch(new RegExp(`name="qty\\[${brg}\\]" id="qty-${brg}" class="keep gi-qty-input" value="ten"`));
    expect(await counts()).toEqual(before);
    expect(await poLine(brg)).toEqual({ received: '0', rejected: '0' });
  });

  it('refuses a verification without the CSRF token with 403 and changes nothing', async () => {
    const before = await counts();
    const form = await receiveForm(ops, poA, brg, { [`qty[${brg}]`]: '1' });
    await ops.post(`/goods-in/${poA.id}/receive`).type('form').send({ ...form, _csrf: 'forged' }).expect(403);
    const { _csrf, ...noToken } = form;
    void _csrf;
    await ops.post(`/goods-in/${poA.id}/receive`).type('form').send(noToken).expect(403);
    expect(await counts()).toEqual(before);
  });

  it('receives a stepper quantity in purchase units into stock at the PO cost (plain form: 303 back to the PO)', async () => {
    const form = await receiveForm(ops, poA, brg, { [`qty[${brg}]`]: '1', delivery_note: 'DN-4471' });
    const res = await ops.post(`/goods-in/${poA.id}/receive`).type('form').send(form).expect(303);
    expect(res.headers.location).toBe(`/goods-in/${poA.id}`);
    expect(await onHand('BRG-1')).toBe('10');
    expect(await poLine(brg)).toEqual({ received: '10', rejected: '0' });
    const receipt = await t.db('receipt_lines').where({ po_line_id: brg }).first('event_id', 'quantity', 'unit_cost');
    expect([String(Number(receipt.quantity)), String(Number(receipt.unit_cost))]).toEqual(['10', '2.5']);
    const journal = await t.db('journal_lines as l').join('journals as j', 'j.id', 'l.journal_id').where('j.event_id', receipt.event_id)
      .orderBy('l.line_no').select('l.account_code', t.db.raw('trim_scale(l.amount)::text as amount'));
    expect(journal).toEqual([{ account_code: '630', amount: '25' }, { account_code: '815', amount: '-25' }]);

    const { html } = await receiptPage(ops, poA);
    expect(article(html, brg)).toContain('<dd data-fig="received">10 <span class="unit">each</span><small>1 box</small></dd>');
    expect(article(html, brg)).toContain('<dd data-fig="outstanding">10 <span class="unit">each</span><small>1 box</small></dd>');
    expect(html).toMatch(/<span class="gi-outcome">Accepted<\/span> <strong>10 each<\/strong> BRG-1/);
    expect(html).toContain('Delivery note DN-4471');
  });

  it('records a double-tapped Receive once: both answers are the same', async () => {
    const form = await receiveForm(ops, poA, resin, { [`qty[${resin}]`]: '2', [`lot[${resin}]`]: 'LOT-7' });
    const before = await counts();
    const [one, two] = await Promise.all([
      ops.post(`/goods-in/${poA.id}/receive`).type('form').send(form),
      ops.post(`/goods-in/${poA.id}/receive`).type('form').send(form),
    ]);
    expect([one.status, two.status]).toEqual([303, 303]);
    expect(two.headers.location).toBe(one.headers.location);
    const after = await counts();
    expect(after.receipt_lines - before.receipt_lines).toBe(1);
    expect(after.stock_events - before.stock_events).toBe(1);
    expect(await onHand('RESIN-1')).toBe('2');
    expect(await t.db('receipt_lines').where({ po_line_id: resin }).pluck('lot')).toEqual(['LOT-7']);
  });

  it('answers an htmx Receive with that line, and out of band the delivery panel, the other lines\' figures and the status', async () => {
    const form = await receiveForm(ops, poA, resin, { [`qty[${resin}]`]: '1', [`lot[${resin}]`]: 'LOT-8' });
    const res = await ops.post(`/goods-in/${poA.id}/receive`).type('form').set('HX-Request', 'true').send(form).expect(200);
    expect(res.text).not.toMatch(/<html|<header class="top"/);
    expect(res.text.trim()).toMatch(new RegExp(`^<article class="card gi-line" id="line-${resin}"`));
    expect(article(res.text, resin)).toContain('<p class="notice" role="status">Received 1 kg of RESIN-1</p>');
    expect(article(res.text, resin)).toContain('<dd data-fig="received">3 <span class="unit">kg</span></dd>');
    // The line's own boxes are emptied for the next count.
    expect(article(res.text, resin)).toMatch(new RegExp(`name="lot\\[${resin}\\]" id="lot-${resin}" class="keep" value=""`));
    expect(res.text).toContain('<aside class="card gi-panel" id="gi-panel" aria-labelledby="gi-panel-title" hx-swap-oob="true">');
    expect(res.text).toContain(`<dl class="gi-figs" id="figs-${brg}" hx-swap-oob="true">`);
    expect(res.text).not.toContain(`id="figs-${resin}" hx-swap-oob`);
    expect(res.text).toContain('<span id="po-status" class="status status-po-open" hx-swap-oob="true">open</span>');
    expect(res.text).toContain(`<div class="gi-notice" id="notice-${brg}" hx-swap-oob="true"></div>`);
    expect(await onHand('RESIN-1')).toBe('3');
  });

  it('steps a line\'s quantity up and down by one purchase unit, never below zero, changing nothing', async () => {
    const before = await counts();
    const { csrf } = await receiptPage(ops, poA);
    const up = await ops.post(`/goods-in/${poA.id}/step`).type('form').set('HX-Request', 'true').send({ _csrf: csrf, line: brg, step: '1', [`qty[${brg}]`]: '2' }).expect(200);
    expect(up.text).toMatch(new RegExp(`name="qty\\[${brg}\\]" id="qty-${brg}" class="keep gi-qty-input" value="3"`));
    const down = await ops.post(`/goods-in/${poA.id}/step`).type('form').set('HX-Request', 'true').send({ _csrf: csrf, line: brg, step: '-1', [`qty[${brg}]`]: '' }).expect(200);
    expect(down.text).toMatch(new RegExp(`name="qty\\[${brg}\\]" id="qty-${brg}" class="keep gi-qty-input" value=""`));
    expect(await counts()).toEqual(before);
  });

  it('the page\'s scan box adds one to the scanned part\'s stepper, keeping the other lines\' counts; a stranger is named', async () => {
    const { csrf } = await receiptPage(ops, poA);
    const kept = { [`qty[${brg}]`]: '1', [`lot[${resin}]`]: 'LOT-9' };
    const res = await ops.post(`/goods-in/${poA.id}/scan`).type('form').set('HX-Request', 'true').send({ _csrf: csrf, code: BRG_BARCODE, ...kept }).expect(200);
    expect(res.text.trim()).toMatch(/^<div id="po-lines" class="gi-lines">/);
    expect(res.text).toMatch(new RegExp(`name="qty\\[${brg}\\]" id="qty-${brg}" class="keep gi-qty-input" value="2"`));
    expect(res.text).toMatch(new RegExp(`name="lot\\[${resin}\\]" id="lot-${resin}" class="keep" value="LOT-9"`));
    expect(res.text).toContain('<form id="gi-scan"');
    expect(res.text).toContain('BRG-1: 2 box counted');

    const unknown = await ops.post(`/goods-in/${poA.id}/scan`).type('form').set('HX-Request', 'true').send({ _csrf: csrf, code: 'NOPE', ...kept }).expect(422);
    expect(unknown.text).toContain('<small class="error" id="e-code" role="alert">Nothing has the barcode or SKU “NOPE”</small>');
    expect(unknown.text).toMatch(new RegExp(`name="qty\\[${brg}\\]" id="qty-${brg}" class="keep gi-qty-input" value="1"`));
    const other = await ops.post(`/goods-in/${poA.id}/scan`).type('form').set('HX-Request', 'true').send({ _csrf: csrf, code: 'GASKET-1' }).expect(422);
    expect(other.text).toContain(`GASKET-1 (Gasket) is not on purchase order ${poA.number}`);
  });

  it('captures serials one scan at a time, refusing a duplicate and one already in stock at once, then receives them', async () => {
    const { csrf } = await receiptPage(ops, poA);
    const capture = (entry: string, list: string) =>
      ops.post(`/goods-in/${poA.id}/serials`).type('form').set('HX-Request', 'true').send({ _csrf: csrf, line: pump, serial_entry: entry, [`serials[${pump}]`]: list });
    const first = await capture('SN-1', '');
    expect(first.status).toBe(200);
    expect(first.text).toContain(`<input type="hidden" name="serials[${pump}]" class="keep" value="SN-1">`);
    expect(first.text).toContain('<strong>1</strong> captured');
    expect(first.text).toMatch(new RegExp(`id="serial-${pump}" autocomplete="off" aria-describedby="e-serial_entry-${pump}" autofocus`));

    const before = await counts();
    const dup = await capture('SN-1', 'SN-1');
    expect(dup.status).toBe(422);
    expect(article(dup.text, pump)).toContain('<div class="problem" role="alert">Serial SN-1 is already in the list for PUMP-1</div>');
    expect(article(dup.text, pump)).toContain('<strong>1</strong> captured');
    expect(dup.text).toContain(`value="SN-1">`);
    expect(await counts()).toEqual(before);

    const form = await receiveForm(ops, poA, pump, { [`serials[${pump}]`]: 'SN-1 SN-2' });
    await ops.post(`/goods-in/${poA.id}/receive`).type('form').send(form).expect(303);
    const serials = await t.db('serials').where({ tenant_id: actor.tenantId, status: 'in_stock' }).orderBy('serial').pluck('serial');
    expect(serials).toEqual(['SN-1', 'SN-2']);
    expect(await poLine(pump)).toEqual({ received: '2', rejected: '0' });

    const inStock = await capture('SN-2', '');
    expect(inStock.status).toBe(422);
    expect(inStock.text).toContain('Serial SN-2 of PUMP-1 is already in stock');
  });

  it('captures a serial without JavaScript too: the plain form post answers with the whole page and the list', async () => {
    const { csrf } = await receiptPage(ops, poA);
    const res = await ops.post(`/goods-in/${poA.id}/serials`).type('form').send({ _csrf: csrf, line: pump, serial_entry: 'SN-7', [`serials[${pump}]`]: 'SN-5' }).expect(200);
    expect(res.text).toContain('<html');
    expect(article(res.text, pump)).toContain(`<input type="hidden" name="serials[${pump}]" class="keep" value="SN-5 SN-7">`);
    expect(article(res.text, pump)).toContain('<button type="submit" class="primary gi-receive-btn">Receive 2</button>');
  });

  it('refuses Receive on a serial line with no serials captured, naming the part', async () => {
    const before = await counts();
    const form = await receiveForm(ops, poA, pump, {});
    const res = await ops.post(`/goods-in/${poA.id}/receive`).type('form').set('HX-Request', 'true').send(form).expect(422);
    expect(article(res.text, pump)).toContain('<strong>Nothing was saved.</strong> Scan or type the serial of each PUMP-1 first');
    expect(await counts()).toEqual(before);
  });
});

describe('over-receipt beyond the tolerance', () => {
  it('shows an operator the admin approval fields; a wrong password is refused; an admin\'s password approves it', async () => {
    // RESIN-1: 5 kg ordered, 3 received; 3 more is 6, 20% over a 5% tolerance.
    const over = { [`qty[${resin}]`]: '3', [`lot[${resin}]`]: 'LOT-10' };
    const before = await counts();
    const asked = await ops.post(`/goods-in/${poA.id}/receive`).type('form').set('HX-Request', 'true').send(await receiveForm(ops, poA, resin, over)).expect(422);
    expect(asked.text).toContain('Receiving 3 more RESIN-1 makes 6 of 5 ordered, 20% over; the tolerance is 5%. An admin must approve');
    expect(asked.text).toContain('name="approval[email]"');
    expect(asked.text).toContain('name="approval[password]"');
    expect(asked.text).not.toContain('name="approve_over_receipt"');

    const wrong = await ops.post(`/goods-in/${poA.id}/receive`).type('form').set('HX-Request', 'true')
      .send({ ...(await receiveForm(ops, poA, resin, over)), 'approval[email]': ADMIN.email, 'approval[password]': 'guess' }).expect(422);
    expect(wrong.text).toContain(`<small class="error" id="e-approval.password-${resin}" role="alert">That is not an admin of this organisation, or the password is wrong</small>`);
    expect(wrong.text).toContain(`value="${ADMIN.email}"`);
    expect(await counts()).toEqual(before);

    await ops.post(`/goods-in/${poA.id}/receive`).type('form')
      .send({ ...(await receiveForm(ops, poA, resin, over)), 'approval[email]': ADMIN.email, 'approval[password]': ADMIN.password }).expect(303);
    const row = await t.db('receipt_lines').where({ po_line_id: resin, lot: 'LOT-10' }).first('approved_by', 'quantity');
    expect([row.approved_by, String(Number(row.quantity))]).toEqual([actor.userId, '3']);
    expect(await onHand('RESIN-1')).toBe('6');
    expect((await receiptPage(ops, poA)).html).toContain('Over-receipt approved by Ada Admin');
  });

  it('asks an admin only to tick "I approve this over-receipt"', async () => {
    const over = { [`qty[${brg}]`]: '2' }; // 10 received + 20 = 30 of 20 ordered
    const asked = await admin.post(`/goods-in/${poA.id}/receive`).type('form').set('HX-Request', 'true').send(await receiveForm(admin, poA, brg, over)).expect(422);
    expect(asked.text).toContain('<input type="checkbox" name="approve_over_receipt" value="on"> I approve this over-receipt');
    expect(asked.text).not.toContain('name="approval[password]"');
    expect(await poLine(brg)).toEqual({ received: '10', rejected: '0' });
  });
});

describe('rejects and returns', () => {
  it('refuses a rejection without a reason, naming the field, and changes nothing', async () => {
    const before = await counts();
    const { html, csrf } = await receiptPage(ops, poA);
    const res = await ops.post(`/goods-in/${poA.id}/reject`).type('form').set('HX-Request', 'true')
      .send({ _csrf: csrf, idempotency_key: keys(html, pump)[1], line: pump, reject_quantity: '1', reason: '' }).expect(422);
    expect(res.text).toContain('<strong>Nothing was saved.</strong> PUMP-1: reason is required');
    expect(res.text).toContain(`<small class="error" id="e-reason-${pump}" role="alert">reason is required</small>`);
    expect(res.text).toContain('<details class="gi-reject" open>');
    expect(await counts()).toEqual(before);
  });

  it('rejects a damaged unit: stock does not move, and it waits on the returns page until sent back', async () => {
    const { html, csrf } = await receiptPage(ops, poA);
    await ops.post(`/goods-in/${poA.id}/reject`).type('form').send({ _csrf: csrf, idempotency_key: keys(html, pump)[1], line: pump, reject_quantity: '1', reason: 'Cracked housing' }).expect(303);
    expect(await poLine(pump)).toEqual({ received: '2', rejected: '1' });
    expect(await onHand('PUMP-1')).toBe('2');

    const returns = (await ops.get('/goods-in/returns').expect(200)).text;
    const row = /<tr data-receipt-line="([^"]+)">([\s\S]*?)<\/tr>/.exec(returns)!;
    expect(row[2].replace(/\s+/g, ' ')).toMatch(new RegExp(`${poA.number}</a></td> <td>Acme Bearings</td> <td>PUMP-1</td> <td class="num">1</td> <td>Cracked housing</td>`));
    expect((await ops.get('/goods-in').expect(200)).text).toContain('Returns to suppliers (1)');

    await ops.post(`/goods-in/returns/${row[1]}/returned`).type('form').send({ _csrf: csrfOf(returns) }).expect(303);
    expect((await t.db('receipt_lines').where({ id: row[1] }).first('returned_at')).returned_at).not.toBeNull();
    expect((await ops.get('/goods-in/returns').expect(200)).text).toContain('Nothing is waiting to go back to a supplier.');
  });
});

describe('undo, finish and the delivery page', () => {
  it('undoes a line: its stock comes back out, the PO figure drops, and the panel shows it struck through', async () => {
    const receipt = await t.db('receipt_lines').where({ po_line_id: brg }).first('id');
    const { html, csrf } = await receiptPage(ops, poA);
    const key = new RegExp(`receipt-lines/${receipt.id}/undo"[\\s\\S]*?name="idempotency_key" value="([^"]+)"`).exec(html)![1];
    const res = await ops.post(`/goods-in/${poA.id}/receipt-lines/${receipt.id}/undo`).type('form').set('HX-Request', 'true').send({ _csrf: csrf, idempotency_key: key }).expect(200);
    expect(res.text.trim()).toMatch(/^<aside class="card gi-panel" id="gi-panel"/);
    expect(res.text).toMatch(new RegExp(`data-receipt-line="${receipt.id}">\\s*<div class="gi-what">\\s*<del><span class="gi-outcome">Accepted</span> <strong>10 each</strong> BRG-1</del> <span class="muted">undone</span>`));
    // The undone line comes back whole (its "All arrived" returns); the others' figures out of band.
    expect(res.text).toMatch(new RegExp(`<article class="card gi-line" id="line-${brg}" [^>]*hx-swap-oob="true">`));
    expect(article(res.text, brg)).toContain('All arrived · 2 box');
    expect(res.text).toContain(`<dl class="gi-figs" id="figs-${pump}" hx-swap-oob="true">`);
    expect(res.text).toContain('Undone: accepted 10 each of BRG-1 (its stock receipt is reversed)');
    expect(await onHand('BRG-1')).toBe('0');
    expect(await poLine(brg)).toEqual({ received: '0', rejected: '0' });
    // A second tap on the same (already used) Undo is answered the same way; nothing moves twice.
    const before = await counts();
    await ops.post(`/goods-in/${poA.id}/receipt-lines/${receipt.id}/undo`).type('form').set('HX-Request', 'true').send({ _csrf: csrf, idempotency_key: key }).expect(200);
    expect(await counts()).toEqual(before);
    const again = await ops.post(`/goods-in/${poA.id}/receipt-lines/${receipt.id}/undo`).type('form').set('HX-Request', 'true').send({ _csrf: csrf, idempotency_key: 'another-key' }).expect(409);
    expect(again.text).toContain('This line has already been undone');
  });

  it('the 5-second poll sends only the figures and status out of band, and the panel only when it changed', async () => {
    const { html } = await receiptPage(ops, poA);
    const sig = /id="gi-panel-sig" name="panel" value="([^"]+)"/.exec(html)![1];
    const same = await ops.get(`/goods-in/${poA.id}/figures?panel=${encodeURIComponent(sig)}`).set('HX-Request', 'true').expect(200);
    expect(same.text.match(/<dl class="gi-figs" id="figs-[^"]+" hx-swap-oob="true">/g)).toHaveLength(3);
    expect(same.text).toContain('<span id="po-status" class="status status-po-open" hx-swap-oob="true">open</span>');
    expect(same.text).not.toMatch(/<form|<input/);
    const stale = await ops.get(`/goods-in/${poA.id}/figures?panel=old`).set('HX-Request', 'true').expect(200);
    expect(stale.text).toContain('id="gi-panel" aria-labelledby="gi-panel-title" hx-swap-oob="true"');
  });

  it('finishes a delivery held for one journal, and its page shows the lines and that journal (Dr stock, Cr GRNI)', async () => {
    await t.db('tenants').where({ id: actor.tenantId }).update({ receipt_journal_per: 'delivery' });
    const po = await newPo('Acme Bearings', [{ part: 'GASKET-1', quantity: dec(10), unitPrice: dec('1.25') }]);
    const line = po.lines[0].id;
    await ops.post(`/goods-in/${po.id}/receive`).type('form').send(await receiveForm(ops, po, line, { [`qty[${line}]`]: '4' })).expect(303);
    const { html, csrf } = await receiptPage(ops, po);
    const finish = /action="(\/goods-in\/[^"]+\/deliveries\/([^"]+)\/finish)"/.exec(html)!;
    // A refusal answers the panel: it must replace the panel, not land inside the Finish form.
    expect(html).toMatch(/\/finish" hx-target="#gi-panel" hx-swap="outerHTML" class="gi-finish">/);
    const res = await ops.post(finish[1]).type('form').send({ _csrf: csrf }).expect(303);
    expect(res.headers.location).toBe(`/goods-in/deliveries/${finish[2]}`);
    const journal = await t.db('journals').where({ tenant_id: actor.tenantId, source_path: `/goods-in/deliveries/${finish[2]}` }).first('id');
    expect(journal).toBeDefined();

    const page = (await ops.get(res.headers.location).expect(200)).text;
    expect(page).toContain(`Delivery`);
    expect(page).toMatch(/<a href="\/parts\/GASKET-1">GASKET-1<\/a>[\s\S]*?Accepted[\s\S]*?<td class="num">4 <span class="unit">each<\/span><\/td>/);
    expect(page).toContain(`href="/journals/${journal.id}"`);
    expect(page).toMatch(/<td>630 Raw Materials Stock<\/td><td class="num">5\.00<\/td><td class="num"><\/td>/);
    expect(page).toMatch(/<td>815 Goods Received Not Invoiced<\/td><td class="num"><\/td><td class="num">5\.00<\/td>/);
    // Journals link back here, so a bookkeeper may open it (and only read it).
    const asBookkeeper = (await book.get(res.headers.location).expect(200)).text;
    expect(asBookkeeper).toContain('815 Goods Received Not Invoiced');
    expect(asBookkeeper).not.toContain('>Undo<');
    await t.db('tenants').where({ id: actor.tenantId }).update({ receipt_journal_per: 'line' });
  });

  it('a PO received in full (All arrived) turns read-only at once, leaves the list, and the poll reloads other screens', async () => {
    const form = await receiveForm(ops, poB, poB.lines[0].id, {});
    const res = await ops.post(`/goods-in/${poB.id}/arrived`).type('form').set('HX-Request', 'true').send(form).expect(200);
    expect(res.headers['hx-retarget']).toBe('#main');
    expect(res.text).toContain('Received in full: nothing is outstanding on this purchase order.');
    expect(res.text).not.toContain('class="gi-receive"');
    expect(await poLine(poB.lines[0].id)).toEqual({ received: '1', rejected: '0' });
    expect((await t.db('purchase_orders').where({ id: poB.id }).first('status')).status).toBe('received');
    expect((await ops.get('/goods-in').expect(200)).text).not.toContain(poB.number);
    const poll = await ops.get(`/goods-in/${poB.id}/figures`).set('HX-Request', 'true').expect(204);
    expect(poll.headers['hx-refresh']).toBe('true');
  });
});

describe('navigation', () => {
  it('links goods-in and purchase orders for admin and operations, bills and GRNI for the bookkeeper too', async () => {
    const nav = async (agent: Agent) => /<nav aria-label="Main">([\s\S]*?)<\/nav>/.exec((await agent.get('/journals').expect(200)).text)![1];
    const links = (html: string) => ['/goods-in', '/purchase-orders', '/bills', '/reports/grni'].filter((href) => html.includes(`href="${href}"`));
    expect(links(await nav(ops))).toEqual(['/goods-in', '/purchase-orders', '/bills', '/reports/grni']);
    expect(links(await nav(admin))).toEqual(['/goods-in', '/purchase-orders', '/bills', '/reports/grni']);
    expect(links(await nav(book))).toEqual(['/bills', '/reports/grni']);
  });
});
