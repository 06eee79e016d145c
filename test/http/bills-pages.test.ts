import request from 'supertest';
import { csrfOf, signIn as signInAs, signUp } from './support/session';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { givenPart } from '../support/builders';
import { expectReconciled } from '../support/ledger-checks';
import { dec, Decimal } from '../../server/domain/decimal';
import { today } from '../../server/clock';
import { addUser } from '../../server/services/auth/accounts';
import { createPurchaseOrder } from '../../server/services/purchasing/create-po';
import { receiveLine } from '../../server/services/goods-in/receive';
import { postStockEvent } from '../../server/services/stock/post-event';
import { Actor } from '../../server/services/stock/types';

let t: TestDb;
let app: Express;
let admin: ReturnType<typeof request.agent>;
let bookkeeper: ReturnType<typeof request.agent>;
let operations: ReturnType<typeof request.agent>;
let actor: Actor;
const po: Record<'bearings' | 'seals' | 'gaskets', { id: string; number: string }> = {} as never;

/** The bill form as served: its CSRF token and one-time key. */
async function billForm(agent = bookkeeper): Promise<{ _csrf: string; idempotency_key: string; html: string }> {
  const html = (await agent.get('/bills/new').expect(200)).text;
  return { _csrf: csrfOf(html), idempotency_key: /name="idempotency_key" value="([^"]+)"/.exec(html)![1], html };
}

const signIn = (email: string, password: string) => signInAs(app, email, password);

/** Rows in every table recording a bill could write, to show a refused one wrote nothing. */
async function counts(): Promise<Record<string, number>> {
  const tables = ['bills', 'bill_lines', 'bill_matches', 'suppliers', 'stock_events', 'stock_movements', 'journals', 'journal_lines', 'idempotency_keys'];
  return Object.fromEntries(await Promise.all(tables.map(async (name) => [name, Number((await t.db(name).count({ n: '*' }).first())!.n)])));
}

/** A form body as a browser posts the bill form: each line row's inputs named lines[i][field]. */
function formBody(body: Record<string, unknown>): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) {
    if (k === 'lines') (v as Record<string, string>[]).forEach((row, i) => Object.entries(row).forEach(([f, x]) => out.append(`lines[${i}][${f}]`, x)));
    else if (v !== undefined) out.append(k, String(v));
  }
  return out.toString();
}

const daysAgo = (n: number) => new Date(Date.parse(`${today()}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const cell = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A table row (whitespace between cells ignored) holding these cells' texts in order. */
const rowWith = (...cells: string[]) => new RegExp(cells.map((c) => `<td[^>]*>(?:<[^>]+>)*${cell(c)}`).join('[\\s\\S]*?'));

beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  ({ agent: admin, actor } = await signUp(app, t.db, { organisation: 'Bills Ltd', name: 'Ada Admin', email: 'ada@example.com' }));
  await addUser(t.db, actor.tenantId, { email: 'bob@example.com', name: 'Bob Books', role: 'bookkeeper', password: 'correct horse battery' });
  await addUser(t.db, actor.tenantId, { email: 'olive@example.com', name: 'Olive Ops', role: 'operations', password: 'correct horse battery' });
  bookkeeper = await signIn('bob@example.com', 'correct horse battery');
  operations = await signIn('olive@example.com', 'correct horse battery');

  for (const sku of ['BRG-1', 'SEAL-1', 'GSK-1']) await givenPart(t.db, actor, sku, { name: `Part ${sku}` });
  // Acme: 10 bearings at 2.50 received today, 4 of them issued since; 5 seals at 4.00 received 45 days ago.
  // Birch: 3 gaskets at 1.20 received today.
  const order = async (supplier: string, part: string, qty: number, price: string) => {
    const view = (await createPurchaseOrder(t.db, actor, { supplier, location: 'MAIN', lines: [{ part, quantity: dec(qty), unitPrice: dec(price) }] })).body;
    await receiveLine(t.db, actor, view.id, { part, quantity: dec(qty) });
    return { id: view.id, number: view.number };
  };
  po.bearings = await order('Acme Bearings', 'BRG-1', 10, '2.50');
  po.seals = await order('Acme Bearings', 'SEAL-1', 5, '4.00');
  po.gaskets = await order('Birch Supplies', 'GSK-1', 3, '1.20');
  await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: today(), lines: [{ part: 'BRG-1', location: 'MAIN', quantity: dec(4) }] });
  // The seals' delivery was unpacked 45 days ago (goods-in dates a delivery today, so move it back).
  await t.db('deliveries').where({ tenant_id: actor.tenantId, po_id: po.seals.id }).update({ received_on: daysAgo(45) });
}, 120_000); // three sign-ins (scrypt) and three receipts on a cold embedded database: slow on a loaded CI machine
afterAll(async () => { await t.close(); });

describe('the GRNI report', () => {
  it('shows each received, unbilled PO line with its value and age, oldest first and highlighted past 30 days', async () => {
    const page = (await bookkeeper.get('/reports/grni').expect(200)).text;
    expect(page).toContain('<dd id="grni-total">48.60</dd>'); // 25.00 + 20.00 + 3.60
    expect(page).toContain('<dd id="grni-old">20.00</dd>');
    expect(page).toMatch(/<th colspan="6" scope="rowgroup">Acme Bearings<\/th><th class="num">45\.00<\/th>/);
    expect(page).toMatch(/<th colspan="6" scope="rowgroup">Birch Supplies<\/th><th class="num">3\.60<\/th>/);
    expect(page).toMatch(rowWith(po.bearings.number, '1', 'BRG-1', '10', today(), '0', '25.00'));
    expect(page).toMatch(rowWith(po.seals.number, '1', 'SEAL-1', '5', daysAgo(45), '45', '20.00'));
    expect(page).toContain(`<a class="rowlink" href="/purchase-orders/${po.bearings.id}">${po.bearings.number}</a>`);
    // Oldest first: the 45-day-old seals come before the bearings received today, and only they are highlighted.
    expect(page.indexOf(po.seals.number)).toBeLessThan(page.indexOf(po.bearings.number));
    const oldRows = [...page.matchAll(/<tr class="old">([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
    expect(oldRows).toHaveLength(1);
    expect(oldRows[0]).toContain(po.seals.number);
    expect(oldRows[0]).toContain('title="Older than 30 days: chase the bill">45</span>');
    // Each line offers to record its bill, with the supplier and PO filled in.
    const link = `/bills/new?supplier=Acme%20Bearings&amp;reference=${po.bearings.number}`;
    expect(page).toContain(`<a class="rowlink" href="${link}">Record bill</a>`);
    const form = (await bookkeeper.get(link.replace('&amp;', '&')).expect(200)).text;
    expect(form).toContain('name="supplier" id="f-supplier" value="Acme Bearings"');
    expect(form).toContain(`name="reference" id="f-reference" value="${po.bearings.number}"`);
  });

  it('exports the same lines as CSV', async () => {
    const res = await bookkeeper.get('/reports/grni.csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename=grni-${today()}.csv`);
    expect(res.text.trim().split('\n')).toEqual([
      'supplier,po_number,line_no,part,part_name,unbilled_qty,value,oldest_receipt,age_days',
      `Acme Bearings,${po.seals.number},1,SEAL-1,Part SEAL-1,5,20.00,${daysAgo(45)},45`,
      `Acme Bearings,${po.bearings.number},1,BRG-1,Part BRG-1,10,25.00,${today()},0`,
      `Birch Supplies,${po.gaskets.number},1,GSK-1,Part GSK-1,3,3.60,${today()},0`,
    ]);
  });

  it('lets operations read GRNI but not bills', async () => {
    const page = (await operations.get('/reports/grni').expect(200)).text;
    expect(page).toContain('<dd id="grni-total">48.60</dd>');
    expect(page).not.toContain('Record bill');
    await operations.get('/reports/grni.csv').expect(200);
    expect((await operations.get('/bills').expect(403)).text).toContain('This needs the admin or bookkeeper role');
    await operations.get('/bills/new').expect(403);
    await request(app).get('/reports/grni').expect(302).expect('Location', '/login?next=%2Freports%2Fgrni');
  });
});

describe('recording a bill by hand', () => {
  it('offers line rows with the GRNI account code filled in, and the POs awaiting bills', async () => {
    const { html } = await billForm();
    expect(html).toContain('<input name="lines[0][account_code]" id="f-lines-0-account_code" value="815"');
    expect(html).toContain('<input name="lines[3][account_code]" id="f-lines-3-account_code" value="815"');
    expect(html).toContain(`<option value="${po.bearings.number}">Acme Bearings</option>`);
    expect(html).toContain(`name="date" id="f-date" value="${today()}"`);
    expect(html).toContain('hx-get="/bills/new/line?n=4"');
    // "Add a line" (htmx) brings row 5 and the button for row 6, out of band.
    const more = (await bookkeeper.get('/bills/new/line?n=4').set('HX-Request', 'true').expect(200)).text;
    expect(more).not.toMatch(/<html/);
    expect(more).toContain('<legend>Line 5</legend>');
    expect(more).toContain('<input name="lines[4][account_code]" id="f-lines-4-account_code" value="815"');
    expect(more).toMatch(/<div class="actions" id="bill-add-line" hx-swap-oob="true">\s*<button type="button" hx-get="\/bills\/new\/line\?n=5"/);
  });

  it('records a bill at a higher price: redirects to it, revalues the stock on hand and sends the used part to PPV', async () => {
    const form = await billForm();
    const res = await bookkeeper.post('/bills/new').type('form').send(formBody({
      _csrf: form._csrf, idempotency_key: form.idempotency_key,
      supplier: 'Acme Bearings', number: 'INV-100', reference: po.bearings.number, date: today(), currency: 'GBP', currency_rate: '', amounts: 'exclusive',
      lines: [{ part: 'BRG-1', description: '', quantity: '10', unit_price: '2.80', tax_rate: '20', account_code: '815' }, { part: '', description: '', quantity: '', unit_price: '', tax_rate: '', account_code: '815' }],
    })).expect(303);
    expect(res.headers.location).toMatch(/^\/bills\/[0-9a-f-]{36}$/);
    const billId = res.headers.location.split('/')[2];

    const bill = await t.db('bills').where({ id: billId }).first();
    expect(bill).toMatchObject({ number: 'INV-100', reference: po.bearings.number, amounts: 'exclusive' });
    expect(Number((await t.db('bill_lines').where({ bill_id: billId }).count({ n: '*' }).first())!.n)).toBe(1); // the empty row was skipped
    // 6 still on hand at +0.30 each revalue stock; the 4 issued go to PPV; GRNI takes the 3.00.
    const journal = await t.db('journals').where({ tenant_id: actor.tenantId, event_id: bill.event_id }).first();
    const lines = await t.db('journal_lines').where({ journal_id: journal.id }).orderBy('line_no').select('account_code', 'amount');
    expect(lines.map((l) => [l.account_code, new Decimal(l.amount).toFixed(2)])).toEqual([['630', '1.80'], ['311', '1.20'], ['815', '-3.00']]);

    const page = (await bookkeeper.get(res.headers.location).expect(200)).text;
    expect(page).toContain('<h1>Bill INV-100 · Acme Bearings</h1>');
    expect(page).toContain('<dd id="bill-revalued">1.80</dd>');
    expect(page).toContain('<dd id="bill-variance">1.20</dd>');
    expect(page).toContain('<dd id="bill-total">28.00</dd>');
    expect(page).toMatch(rowWith('1', po.bearings.number, '10', '2.5', '2.8', '0.3', '1.80', '1.20'));
    expect(page).toMatch(/<td>630 Raw Materials Stock<\/td><td class="num">1\.80<\/td><td class="num"><\/td>/);
    expect(page).toMatch(/<td>311 Purchase Price Variance<\/td><td class="num">1\.20<\/td><td class="num"><\/td>/);
    expect(page).toMatch(/<td>815 Goods Received Not Invoiced<\/td><td class="num"><\/td><td class="num">3\.00<\/td>/);
    expect(page).toContain(`<a href="/events/${bill.event_id}">Bill price difference event</a>`);
    expect(page).toContain(`<a href="/journals/${journal.id}">Journal ${journal.number}</a>`);
    expect(page).not.toContain('id="bill-flags"');

    const list = (await bookkeeper.get('/bills').expect(200)).text;
    expect(list).toContain(`<a class="rowlink" href="/bills/${billId}">INV-100</a>`);
    expect(list).toMatch(/INV-100<\/a><\/td>\s*<td>PO-\d+<\/td>\s*<td class="num">1<\/td>\s*<td><span class="badge badge-diff"[^>]*>price difference<\/span><\/td>/);
    // The bearings left GRNI; the seals and gaskets wait.
    expect((await bookkeeper.get('/reports/grni').expect(200)).text).toContain('<dd id="grni-total">23.60</dd>');
    await expectReconciled(t.db, actor);
  });

  it('flags a line coded to another account than GRNI and one never received, saying what to do; skips empty rows', async () => {
    const form = await billForm();
    const res = await bookkeeper.post('/bills/new').type('form').send(formBody({
      _csrf: form._csrf, idempotency_key: form.idempotency_key,
      supplier: 'Birch Supplies', number: 'B-7', reference: po.gaskets.number, date: today(), currency: '', amounts: 'exclusive',
      lines: [
        { part: 'GSK-1', description: 'Gaskets', quantity: '3', unit_price: '1.20', tax_rate: '', account_code: '429' },
        { part: '', description: '', quantity: '', unit_price: '', tax_rate: '', account_code: '815' },
        { part: '', description: 'Carriage', quantity: '1', unit_price: '5.00', tax_rate: '', account_code: '425' },
        { part: 'BRG-1', description: 'Bearings', quantity: '2', unit_price: '2.50', tax_rate: '', account_code: '815' },
      ],
    })).expect(303);
    const billId = res.headers.location.split('/')[2];
    const rows = await t.db('bill_lines').where({ bill_id: billId }).orderBy('line_no').select('line_no', 'description', 'account_code', 'flag');
    expect(rows).toEqual([
      { line_no: 1, description: 'Gaskets', account_code: '429', flag: 'coded_elsewhere' },
      { line_no: 2, description: 'Carriage', account_code: '425', flag: null },
      { line_no: 3, description: 'Bearings', account_code: '815', flag: 'billed_not_received' },
    ]);
    const page = (await bookkeeper.get(res.headers.location).expect(200)).text;
    expect(page).toMatch(/<div class="flags" id="bill-flags" role="alert">\s*<h2>2 lines need attention<\/h2>/);
    expect(page).toContain('<strong>Line 1 · GSK-1:</strong> <span class="flag-message">Coded to 429, but GSK-1 was received into stock against GRNI (815): code it to 815, or the goods are counted twice</span>');
    expect(page).toMatch(/<strong>Line 3 · BRG-1:<\/strong> <span class="flag-message">2 × BRG-1 billed but not received against a purchase order from this supplier<\/span> <span class="flag-advice">Check with goods-in whether it arrived/);
    expect(page).toContain('<span class="badge badge-warn">⚠ coded elsewhere</span>');
    expect(page).toContain('<span class="badge badge-warn">⚠ not received</span>');
    expect(page).toContain('<dd id="bill-total">13.60</dd>');
    expect(page).toContain('id="bill-no-journal"'); // same price as received: nothing to revalue
    const list = (await bookkeeper.get('/bills').expect(200)).text;
    expect(list).toMatch(/B-7<\/a><\/td>[\s\S]*?<span class="badge badge-warn"[^>]*>⚠ 2 flagged<\/span>/);
  });

  it.each([
    ['an unknown part', { lines: [{ part: 'NOPE', quantity: '1', unit_price: '1', account_code: '815' }] }, 'lines-0-part', 'Unknown part NOPE', 'lines.0.part: Unknown part NOPE'],
    ['a bad quantity on the second line', { lines: [{ part: 'SEAL-1', quantity: '5', unit_price: '4', account_code: '815' }, { part: 'SEAL-1', quantity: 'ten', unit_price: '4', account_code: '815' }] }, 'lines-1-quantity', 'must be a number (got &quot;ten&quot;)', 'lines.1.quantity:'],
    ['no bill number', { number: '' }, 'number', 'number is required', 'number: number is required'],
    ['a date that does not exist', { date: '2026-02-30' }, 'date', 'must be a real date like 2026-11-25', 'date: must be a real date'],
    ['no lines at all', { lines: [{ part: '', quantity: '', unit_price: '', account_code: '815' }] }, 'lines', 'give at least one line', 'lines: give at least one line'],
  ])('shows %s inline with 422, keeps what was typed, and stores nothing', async (_what, change, errorId, inline, summary) => {
    const form = await billForm();
    const body = { _csrf: form._csrf, idempotency_key: form.idempotency_key, supplier: 'Acme Bearings', number: 'INV-BAD', reference: po.seals.number, date: today(), currency: 'GBP', amounts: 'exclusive', lines: [{ part: 'SEAL-1', quantity: '5', unit_price: '4', account_code: '815' }], ...change };
    const before = await counts();
    const res = await bookkeeper.post('/bills/new').type('form').send(formBody(body)).expect(422);
    expect(res.type).toBe('text/html');
    if (errorId === 'lines') expect(res.text).toContain(`<p class="error" id="e-lines" role="alert">${inline}</p>`);
    else expect(res.text).toContain(`<small class="error" id="e-${errorId}" role="alert">${inline}</small>`);
    expect(res.text).toMatch(/<div class="problem" role="alert"><strong>Nothing was saved.<\/strong>/);
    expect(res.text).toContain(summary);
    expect(res.text).toContain('name="supplier" id="f-supplier" value="Acme Bearings"');
    expect(res.text).toContain('<input name="lines[0][account_code]" id="f-lines-0-account_code" value="815"');
    if (_what === 'an unknown part') expect(res.text).toContain('<input name="lines[0][part]" id="f-lines-0-part" value="NOPE"');
    expect(await counts()).toEqual(before);
  });

  it('refuses a bill number already recorded from that supplier with 409, inline, storing nothing', async () => {
    const form = await billForm();
    const before = await counts();
    const res = await bookkeeper.post('/bills/new').type('form').send(formBody({
      _csrf: form._csrf, idempotency_key: form.idempotency_key,
      supplier: 'Acme Bearings', number: 'INV-100', reference: po.seals.number, date: today(), amounts: 'exclusive',
      lines: [{ part: 'SEAL-1', quantity: '5', unit_price: '4', account_code: '815' }],
    })).expect(409);
    expect(res.text).toContain('<small class="error" id="e-number" role="alert">Bill INV-100 from Acme Bearings is already recorded</small>');
    expect(await counts()).toEqual(before);
  });

  it('records a double-tapped form once: both submissions land on the same bill', async () => {
    const form = await billForm();
    const body = {
      _csrf: form._csrf, idempotency_key: form.idempotency_key,
      supplier: 'Acme Bearings', number: 'INV-101', reference: po.seals.number, date: today(), amounts: 'exclusive',
      lines: [{ part: 'SEAL-1', quantity: '5', unit_price: '4.00', account_code: '815' }],
    };
    const [one, two] = await Promise.all([bookkeeper.post('/bills/new').type('form').send(formBody(body)), bookkeeper.post('/bills/new').type('form').send(formBody(body))]);
    expect([one.status, two.status]).toEqual([303, 303]);
    expect(two.headers.location).toBe(one.headers.location);
    expect(Number((await t.db('bills').where({ number: 'INV-101' }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('refuses a POST without the CSRF token with 403 and stores nothing', async () => {
    const before = await counts();
    const body = { supplier: 'Acme Bearings', number: 'INV-CSRF', date: today(), lines: [{ part: 'SEAL-1', quantity: '1', unit_price: '4', account_code: '815' }] };
    const res = await bookkeeper.post('/bills/new').type('form').send(formBody(body)).expect(403);
    expect(res.text).toContain('The form expired; reload the page and try again');
    await bookkeeper.post('/bills/new').type('form').send(formBody({ ...body, _csrf: 'forged' })).expect(403);
    expect(await counts()).toEqual(before);
  });

  it('takes a bill of more than 20 lines (past the form parser’s array limit) in the order typed', async () => {
    const form = await billForm();
    const lines = Array.from({ length: 23 }, (_, i) => ({ part: '', description: `Carriage ${i + 1}`, quantity: '1', unit_price: `${i + 1}.00`, tax_rate: '', account_code: '425' }));
    const res = await bookkeeper.post('/bills/new').type('form').send(formBody({
      _csrf: form._csrf, idempotency_key: form.idempotency_key, supplier: 'Carrier Co', number: 'C-1', date: today(), amounts: 'no_tax', lines,
    })).expect(303);
    const rows = await t.db('bill_lines').where({ bill_id: res.headers.location.split('/')[2] }).orderBy('line_no').select('line_no', 'description', 'unit_price');
    expect(rows.map((r) => [r.line_no, r.description, new Decimal(r.unit_price).toFixed()])).toEqual(lines.map((l, i) => [i + 1, l.description, String(i + 1)]));
    expect((await bookkeeper.get(res.headers.location).expect(200)).text).toContain('<dd id="bill-total">276.00</dd>'); // 1 + 2 + ... + 23
  });

  it('answers an unknown bill with 404, and lets the admin in too', async () => {
    await bookkeeper.get('/bills/00000000-0000-4000-8000-000000000000').expect(404);
    await bookkeeper.get('/bills/not-an-id').expect(404);
    expect((await admin.get('/bills').expect(200)).text).toContain('INV-100');
  });
});
