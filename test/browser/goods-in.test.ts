import { Page, Response } from 'playwright-core';
import { startBrowserHarness, BrowserHarness } from './support';
import { createOrganisation, addUser } from '../../server/services/auth/accounts';
import { createPart } from '../../server/services/catalogue';
import { createPurchaseOrder } from '../../server/services/purchasing/create-po';
import { receiveLine } from '../../server/services/goods-in/receive';
import { PurchaseOrderView } from '../../server/services/purchasing/types';
import { reconciliation } from '../../server/services/valuation';
import { dec } from '../../server/domain/decimal';
import { Actor } from '../../server/services/stock/types';
import { onHand } from '../support/ledger-checks';

// A delivery unpacked on the shop-floor tablet, in order: each step builds on the last, and
// checks what the page shows and what the database now holds.

jest.setTimeout(90_000);

const ADMIN = { name: 'Ada Admin', email: 'ada@acme-pumps.example', password: 'correct horse battery' };
const OPERATOR = { name: 'Otto Operator', email: 'otto@acme-pumps.example', password: 'shop floor password' };
const BRG_BARCODE = '5012345678900';

let h: BrowserHarness;
let page: Page;
let admin: Actor;
let po: PurchaseOrderView;
let brg: string; // 2 box of 10 bearings @ 25.00 a box: 2.50 each
let pump: string; // 3 serial-tracked pumps @ 120.00
let resin: string; // 5 kg of lot-tracked resin @ 8.00

beforeAll(async () => {
  h = await startBrowserHarness();
  page = h.page;
  const user = await createOrganisation(h.db, { organisation: 'Acme Pumps', name: ADMIN.name, email: ADMIN.email, password: ADMIN.password });
  admin = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  await addUser(h.db, admin.tenantId, { ...OPERATOR, role: 'operations' });
  // One journal per delivery (posted when it is finished), so the whole delivery is checked as one journal.
  await h.db('tenants').where({ id: admin.tenantId }).update({ receipt_journal_per: 'delivery' });
  await createPart(h.db, admin.tenantId, { sku: 'BRG-6204', name: 'Deep groove bearing 6204', barcode: BRG_BARCODE });
  await createPart(h.db, admin.tenantId, { sku: 'PUMP-100', name: 'Pump head 100', tracking: 'serial' });
  await createPart(h.db, admin.tenantId, { sku: 'RESIN-EP', name: 'Epoxy resin', tracking: 'lot', unit: 'kg', fractional: true });
  po = (await createPurchaseOrder(h.db, admin, {
    supplier: 'Acme Components', location: 'MAIN', expectedDate: '2026-12-03', lines: [
      { part: 'BRG-6204', quantity: dec(2), purchaseUnit: 'box', unitsPerPurchaseUnit: dec(10), unitPrice: dec('25') },
      { part: 'PUMP-100', quantity: dec(3), unitPrice: dec('120') },
      { part: 'RESIN-EP', quantity: dec(5), unitPrice: dec('8') },
    ],
  })).body;
  [brg, pump, resin] = po.lines.map((l) => l.id);
  await createPurchaseOrder(h.db, admin, { supplier: 'Zenith Fasteners', location: 'MAIN', lines: [{ part: 'BRG-6204', quantity: dec(5), unitPrice: dec('2') }] });
}, 120_000);
afterAll(async () => { await h?.close(); });

const line = (id: string) => page.locator(`#line-${id}`);
const figure = (id: string, name: string) => page.locator(`#figs-${id} [data-fig=${name}]`).textContent().then((s) => (s ?? '').replace(/\s+/g, ' ').trim());
const panelLines = () => page.locator('#gi-panel .gi-verified-line').evaluateAll((lis) => lis.map((li) => (li.querySelector('.gi-what')?.textContent ?? '').replace(/\s+/g, ' ').trim()));

/** Waits for the htmx POST to `path` that `act` causes, and returns it. */
async function posting(path: string, act: () => Promise<unknown>): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(path) && r.request().method() === 'POST'),
    act(),
  ]);
  // Let htmx finish swapping (and settle) what came back.
  await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping'));
  return response;
}

function tableRows(selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())));
}

async function markDocument(): Promise<void> {
  await page.evaluate(() => { (window as unknown as { __same: boolean }).__same = true; });
}
const sameDocument = () => page.evaluate(() => (window as unknown as { __same?: boolean }).__same === true);

describe('goods-in on the shop-floor tablet', () => {
  it('signs the operator in and finds the PO by live search, then opens it by scanning its number', async () => {
    await page.goto('/login');
    await page.fill('input[name=email]', OPERATOR.email);
    await page.fill('input[name=password]', OPERATOR.password);
    await Promise.all([page.waitForURL('**/stock'), page.getByRole('button', { name: 'Sign in' }).tap()]);

    await Promise.all([page.waitForURL('**/goods-in'), page.getByRole('link', { name: 'Goods-in' }).tap()]);
    const numbers = () => page.locator('#po-rows tr[data-po] strong').allTextContents();
    expect((await numbers()).length).toBe(2);
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/goods-in?') && r.url().includes('q=acme') && r.request().headers()['hx-request'] === 'true'),
      page.locator('input[name=q]').pressSequentially('acme', { delay: 30 }),
    ]);
    await page.waitForFunction(() => document.querySelectorAll('#po-rows tr[data-po]').length === 1);
    expect(await tableRows('table.gi-pos')).toEqual([[po.number, 'Acme Components', '2026-12-03', po.order_date, '3 of 3']]);
    await h.screenshot('goods-in-list');

    // A USB scanner types the PO number into the focused scan box, then Enter.
    await page.locator('#gi-open-code').focus();
    await Promise.all([page.waitForURL(`**/goods-in/${po.id}`), page.keyboard.type(`${po.number}\n`, { delay: 10 })]);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Parts Receipt · ${po.number}`);
    await expect(page.locator('#po-status').textContent()).resolves.toBe('open');
    expect(await figure(brg, 'ordered')).toBe('20 each2 box of 10');
    expect(await figure(brg, 'outstanding')).toBe('20 each2 box');
  });

  it('counts a scanned bearing on its stepper, names an unknown barcode, then takes the whole line with "All arrived"', async () => {
    await markDocument();
    await page.fill('#gi-note', 'DN-10023');
    const scan = page.locator('#gi-code');
    await scan.focus();
    await posting('/scan', () => page.keyboard.type(`${BRG_BARCODE}\n`, { delay: 5 }));
    await expect(page.locator(`#qty-${brg}`).inputValue()).resolves.toBe('1');
    await expect(page.locator('#gi-scan .notice').textContent()).resolves.toBe('BRG-6204: 1 box counted; tap Receive when the line is done');
    // The scan box keeps the focus for the next scan.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('gi-code');

    const unknown = await posting('/scan', () => page.keyboard.type('0000000000000\n', { delay: 5 }));
    expect(unknown.status()).toBe(422);
    await expect(page.locator('#gi-scan .error').textContent()).resolves.toBe('Nothing has the barcode or SKU “0000000000000”');
    await expect(page.locator(`#qty-${brg}`).inputValue()).resolves.toBe('1');

    await posting('/arrived', () => line(brg).getByRole('button', { name: /^All arrived · 2 box$/ }).tap());
    expect(await figure(brg, 'received')).toBe('20 each2 box');
    expect(await figure(brg, 'outstanding')).toBe('0 each0 box');
    await expect(line(brg).locator('.notice').textContent()).resolves.toBe('Received 20 each of BRG-6204');
    expect(await panelLines()).toEqual(['Accepted 20 each BRG-6204']);
    await expect(page.locator('#gi-panel').textContent()).resolves.toContain('Delivery note DN-10023');
    expect(await sameDocument()).toBe(true);
    expect(await onHand(h.db, admin, 'BRG-6204')).toBe('20');
  });

  it('receives part of the resin with the stepper and a batch code', async () => {
    const more = line(resin).getByRole('button', { name: 'One kg more of RESIN-EP' });
    for (let i = 0; i < 3; i++) await posting('/step', () => more.tap());
    await expect(page.locator(`#qty-${resin}`).inputValue()).resolves.toBe('3');
    await posting('/step', () => line(resin).getByRole('button', { name: 'One kg fewer of RESIN-EP' }).tap());
    await posting('/step', () => more.tap());
    await page.fill(`#lot-${resin}`, 'B-2291');
    const res = await posting('/receive', () => line(resin).getByRole('button', { name: 'Receive', exact: true }).tap());
    expect(res.status()).toBe(200);
    expect(await figure(resin, 'received')).toBe('3 kg');
    expect(await figure(resin, 'outstanding')).toBe('2 kg');
    await expect(page.locator(`#qty-${resin}`).inputValue()).resolves.toBe('');
    // The bearings' "Received" notice is out of date now: cleared, out of band.
    await expect(line(brg).locator('.notice').count()).resolves.toBe(0);
    expect(await onHand(h.db, admin, 'RESIN-EP', 'MAIN', 'B-2291')).toBe('3');
    expect(await sameDocument()).toBe(true);
  });

  it('captures pump serials as typed scans, refusing a duplicate at once, and receives them', async () => {
    const box = page.locator(`#serial-${pump}`);
    await box.focus();
    for (const serial of ['PMP-0001', 'PMP-0002']) {
      // Typed at whatever has the focus, as a scanner does: the box must keep it after each swap.
      await posting('/serials', () => page.keyboard.type(`${serial}\n`, { delay: 5 }));
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(`serial-${pump}`);
    }
    const dup = await posting('/serials', () => page.keyboard.type('PMP-0001\n', { delay: 5 }));
    expect(dup.status()).toBe(422);
    await expect(line(pump).locator('.problem').textContent()).resolves.toBe('Serial PMP-0001 is already in the list for PUMP-100');
    expect(await line(pump).locator('.gi-serial-list .tag').allTextContents()).toEqual(['PMP-0001', 'PMP-0002']);
    await h.screenshot('goods-in-serials');

    await posting('/receive', () => line(pump).getByRole('button', { name: 'Receive 2' }).tap());
    expect(await figure(pump, 'outstanding')).toBe('1 each');
    const serials = await h.db('serials').where({ tenant_id: admin.tenantId, status: 'in_stock' }).orderBy('serial').pluck('serial');
    expect(serials).toEqual(['PMP-0001', 'PMP-0002']);
    expect(await panelLines()).toEqual(['Accepted 2 each PUMP-100 · PMP-0001, PMP-0002', 'Accepted 3 kg RESIN-EP · lot B-2291', 'Accepted 20 each BRG-6204']);
  });

  it('rejects a damaged pump with a reason: no stock, listed for return', async () => {
    await line(pump).locator('summary', { hasText: 'Reject…' }).tap();
    await page.fill(`#reject-qty-${pump}`, '1');
    await page.fill(`#reject-reason-${pump}`, 'Cracked housing');
    await posting('/reject', () => line(pump).getByRole('button', { name: 'Reject', exact: true }).tap());
    await expect(line(pump).locator('.notice').textContent()).resolves.toBe('Rejected 1 each of PUMP-100: Cracked housing. It is listed for return to the supplier.');
    expect(await figure(pump, 'rejected')).toBe('1 each');
    expect(await figure(pump, 'outstanding')).toBe('1 each');
    expect((await panelLines())[0]).toBe('Rejected 1 each PUMP-100 · Cracked housing');
    expect(await onHand(h.db, admin, 'PUMP-100')).toBe('2');
  });

  it('asks for an admin on the spot when the resin goes over tolerance, and records who approved it', async () => {
    await page.fill(`#qty-${resin}`, '3');
    await page.fill(`#lot-${resin}`, 'B-2292');
    const refused = await posting('/receive', () => line(resin).getByRole('button', { name: 'Receive', exact: true }).tap());
    expect(refused.status()).toBe(422);
    await expect(line(resin).locator('.problem').textContent()).resolves.toContain('Receiving 3 more RESIN-EP makes 6 of 5 ordered, 20% over; the tolerance is 5%. An admin must approve');
    // What was typed is still there.
    await expect(page.locator(`#qty-${resin}`).inputValue()).resolves.toBe('3');
    await expect(page.locator(`#lot-${resin}`).inputValue()).resolves.toBe('B-2292');
    await h.screenshot('goods-in-approval');
    expect(await onHand(h.db, admin, 'RESIN-EP', 'MAIN', 'B-2292')).toBe('0');

    await line(resin).locator('input[name="approval[email]"]').fill(ADMIN.email);
    await line(resin).locator('input[name="approval[password]"]').fill(ADMIN.password);
    await posting('/receive', () => line(resin).getByRole('button', { name: 'Receive', exact: true }).tap());
    expect(await figure(resin, 'received')).toBe('6 kg');
    await expect(page.locator('#gi-panel').textContent()).resolves.toContain('Over-receipt approved by Ada Admin');
    expect(await onHand(h.db, admin, 'RESIN-EP', 'MAIN', 'B-2292')).toBe('3');
  });

  it('undoes the bearings: struck through in the panel, stock back out, outstanding again', async () => {
    const bearing = page.locator('#gi-panel .gi-verified-line', { hasText: 'BRG-6204' });
    await posting('/undo', () => bearing.getByRole('button', { name: 'Undo' }).tap());
    // Read first: the 5-second poll replaces the panel (without the notice) once its figures change.
    await expect(page.locator('#gi-panel .notice').textContent()).resolves.toBe('Undone: accepted 20 each of BRG-6204 (its stock receipt is reversed)');
    await expect(bearing.getAttribute('class')).resolves.toContain('undone');
    await expect(bearing.locator('del').textContent()).resolves.toBe('Accepted 20 each BRG-6204');
    expect(await figure(brg, 'outstanding')).toBe('20 each2 box');
    await expect(line(brg).getByRole('button', { name: 'All arrived · 2 box' }).isVisible()).resolves.toBe(true);
    expect(await onHand(h.db, admin, 'BRG-6204')).toBe('0');
    await h.screenshot('goods-in-receipt');
  });

  it('refreshes the figures when someone else receives, without touching a quantity being typed', async () => {
    await page.fill(`#qty-${brg}`, '7');
    await page.locator(`#qty-${brg}`).focus();
    const otto = await h.db('users').where({ email: OPERATOR.email }).first('id');
    await receiveLine(h.db, { tenantId: admin.tenantId, userId: otto.id, role: 'operations' }, po.id, { line: pump, quantity: dec(1), serials: ['PMP-0009'] });
    await page.waitForResponse((r) => r.url().includes(`/goods-in/${po.id}/figures`), { timeout: 8000 });
    await page.waitForFunction((id) => document.querySelector(`#figs-${id} [data-fig=outstanding]`)?.textContent?.trim().startsWith('0'), pump);
    expect(await figure(pump, 'received')).toBe('3 each');
    await expect(page.locator(`#qty-${brg}`).inputValue()).resolves.toBe('7');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`qty-${brg}`);
    // The panel changed too (another line verified), so it came along.
    await page.waitForFunction(() => (document.querySelector('#gi-panel')?.textContent ?? '').includes('PMP-0009'));
    expect(await sameDocument()).toBe(true);
  });

  it('every visible button on the receipt page is at least 44 px tall', async () => {
    const small = await page.locator('#main button, #main summary, #main a.button').evaluateAll((els) => els
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => ({ text: (el.textContent ?? '').trim(), height: el.getBoundingClientRect().height }))
      .filter((b) => b.height < 44));
    expect(small).toEqual([]);
  });

  it('finishes the delivery: its page shows the lines and one journal, Dr raw materials and Cr GRNI', async () => {
    await Promise.all([page.waitForURL('**/goods-in/deliveries/*'), page.getByRole('button', { name: 'Finish delivery' }).tap()]);
    await expect(page.locator('h1').textContent()).resolves.toMatch(new RegExp(`^Delivery \\d+ · ${po.number}$`));
    const rows = await tableRows('table.gi-delivery-lines');
    expect(rows.map((r) => [r[0], r[1], r[2], r[5]])).toEqual([
      ['PUMP-100 Pump head 100', 'Accepted', '1 each', '120.00'],
      ['RESIN-EP Epoxy resin', 'Accepted (over-receipt approved by Ada Admin)', '3 kg', '24.00'],
      ['PUMP-100 Pump head 100', 'Rejected', '1 each', ''],
      ['PUMP-100 Pump head 100', 'Accepted', '2 each', '240.00'],
      ['RESIN-EP Epoxy resin', 'Accepted', '3 kg', '24.00'],
      ['BRG-6204 Deep groove bearing 6204 undone', 'Accepted', '20 each', '50.00'],
    ]);
    // 120 + 24 + 240 + 24 = 408.00; the undone bearings (50.00 in, 50.00 out) net to nothing.
    expect(await tableRows('table.journal')).toEqual([
      ['630 Raw Materials Stock', '408.00', ''],
      ['815 Goods Received Not Invoiced', '', '408.00'],
    ]);
    await h.screenshot('goods-in-delivery');

    const deliveryId = new URL(page.url()).pathname.split('/').pop();
    const journal = await h.db('journals').where({ tenant_id: admin.tenantId, source_path: `/goods-in/deliveries/${deliveryId}` }).first('id');
    const lines = await h.db('journal_lines').where({ journal_id: journal.id }).orderBy('line_no').select('account_code', h.db.raw('trim_scale(amount)::text as amount'));
    expect(lines).toEqual([{ account_code: '630', amount: '408' }, { account_code: '815', amount: '-408' }]);
    expect((await reconciliation(h.db, admin.tenantId)).reconciled).toBe(true);
  });

  it('leaves the PO open with the bearings outstanding, and the stock page agrees with the ledger', async () => {
    await page.goto(`/goods-in/${po.id}`);
    await expect(page.locator('#po-status').textContent()).resolves.toBe('open');
    expect(await figure(brg, 'outstanding')).toBe('20 each2 box');
    expect(await figure(pump, 'outstanding')).toBe('0 each');
    expect(await figure(resin, 'outstanding')).toBe('0 kg');
    await expect(page.locator('#gi-panel').textContent()).resolves.toContain('Nothing verified yet');
    const figures = await h.db('purchase_order_lines').where({ po_id: po.id }).orderBy('line_no').select(h.db.raw('trim_scale(received_qty)::text as r'), h.db.raw('trim_scale(rejected_qty)::text as j'));
    expect(figures).toEqual([{ r: '0', j: '0' }, { r: '3', j: '1' }, { r: '6', j: '0' }]);

    await page.goto('/stock');
    const stock = await tableRows('table.grid');
    expect(stock.map((r) => [r[0], r[1], r[4]]).sort()).toEqual([
      ['BRG-6204 Deep groove bearing 6204', '0 each', '0.00'],
      ['PUMP-100 Pump head 100 serial', '3 each', '360.00'],
      ['RESIN-EP Epoxy resin lot', '6 kg', '48.00'],
    ]);
  });

  it('lists the rejected pump for return until it is marked returned to the supplier', async () => {
    await page.goto('/goods-in/returns');
    const rows = await tableRows('table.gi-returns');
    expect(rows.map((r) => r.slice(0, 5))).toEqual([[po.number, 'Acme Components', 'PUMP-100', '1', 'Cracked housing']]);
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/returned')),
      page.getByRole('button', { name: 'Returned to supplier' }).tap(),
    ]);
    await page.locator('table.gi-returns .empty').waitFor();
    expect((await h.db('receipt_lines').where({ tenant_id: admin.tenantId, outcome: 'rejected' }).first('returned_at')).returned_at).not.toBeNull();
  });
});
