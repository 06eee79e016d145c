import { Page } from 'playwright-core';
import { startBrowserHarness, BrowserHarness } from './support';
import { createOrganisation } from '../../server/services/auth/accounts';
import { createPart } from '../../server/services/catalogue';
import { postStockEvent } from '../../server/services/stock/post-event';
import { dec } from '../../server/domain/decimal';
import { Actor } from '../../server/services/stock/types';

// Engineering's BOM arrives as a CSV: imported on the page, read as a tree with stock figures,
// checked for a build quantity, and a loop refused with its path.

jest.setTimeout(90_000);

const ADMIN = { name: 'Ada Admin', email: 'ada@bom-works.example', password: 'correct horse battery' };
const CSV = [
  'parent_sku,component_sku,quantity,step,attrition_pct,optional,note',
  'PUMP,ROTOR,1,1,,,',
  'PUMP,BOLT,8,2,5,,M8 x 25',
  'ROTOR,SHAFT,1,1,,,',
  'ROTOR,BEARING,2,1,,,DE NDE',
].join('\n');

let h: BrowserHarness;
let page: Page;
let admin: Actor;

beforeAll(async () => {
  h = await startBrowserHarness();
  page = h.page;
  const user = await createOrganisation(h.db, { organisation: 'BOM Works', name: ADMIN.name, email: ADMIN.email, password: ADMIN.password });
  admin = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  for (const sku of ['PUMP', 'ROTOR']) await createPart(h.db, admin.tenantId, { sku, name: `Part ${sku}`, source: 'made' });
  for (const sku of ['BOLT', 'SHAFT', 'BEARING']) await createPart(h.db, admin.tenantId, { sku, name: `Part ${sku}` });
  await postStockEvent(h.db, admin, { kind: 'opening_balance', occurredOn: '2026-11-25', lines: [
    { part: 'BOLT', location: 'MAIN', quantity: dec(100), unitCost: dec('0.1') },
    { part: 'SHAFT', location: 'MAIN', quantity: dec(4), unitCost: dec('12') },
    { part: 'BEARING', location: 'MAIN', quantity: dec(20), unitCost: dec('3') },
  ] });
}, 120_000);
afterAll(async () => { await h?.close(); });

const treeRows = () => page.locator('table.bom-tree tbody tr').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-sku'), r.getAttribute('data-level'), r.classList.contains('short') ? 'short' : '']));

describe('BOMs on the page', () => {
  it('imports a two-level BOM from pasted CSV and lists the assemblies', async () => {
    await page.goto('/login');
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await Promise.all([page.waitForURL('**/stock'), page.getByRole('button', { name: 'Sign in' }).tap()]);
    await Promise.all([page.waitForURL('**/boms'), page.getByRole('link', { name: 'BOMs' }).tap()]);
    await page.fill('textarea[name=csv]', CSV);
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/boms/import' && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Import' }).tap(),
    ]);
    await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping'));
    await expect(page.locator('.notice[role=status]').textContent()).resolves.toMatch(/Imported 2 BOM\(s\), 4 line\(s\)/);
    const rows = await page.locator('table.bom-assemblies tbody tr td:first-child').allTextContents();
    expect(rows.map((r) => r.trim()).sort()).toEqual(['PUMP', 'ROTOR']);
    const stored = await h.db('bom_lines').where({ tenant_id: admin.tenantId }).count({ n: '*' });
    expect(Number(stored[0].n)).toBe(4);
    await h.screenshot('boms-imported');
  });

  it('shows the tree to every level and marks what is short for the build quantity', async () => {
    await Promise.all([page.waitForURL('**/boms/PUMP'), page.getByRole('link', { name: 'PUMP', exact: true }).first().tap()]);
    // No rotor is on the shelf, so it is short (one must be made); its own parts are there for one.
    expect(await treeRows()).toEqual([['PUMP', '0', ''], ['ROTOR', '1', 'short'], ['SHAFT', '2', ''], ['BEARING', '2', ''], ['BOLT', '1', '']]);
    // 5 pumps need 5 shafts (4 on hand) and 42 bolts (8 x 5 + 5%, 100 on hand).
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('quantity=5') && r.request().headers()['hx-request'] === 'true'),
      page.fill('input[name=quantity]', '5'),
    ]);
    await page.waitForFunction(() => document.querySelector('table.bom-tree tr[data-sku=SHAFT].short') !== null);
    expect(await treeRows()).toEqual([['PUMP', '0', ''], ['ROTOR', '1', 'short'], ['SHAFT', '2', 'short'], ['BEARING', '2', ''], ['BOLT', '1', '']]);
    await expect(page.locator('.bom-short-summary').textContent()).resolves.toMatch(/Short to build 5 each: ROTOR, SHAFT/);
    await h.screenshot('boms-tree-short');
  });

  it('refuses a line that would make a loop, naming the path, and changes nothing', async () => {
    await page.goto('/boms/ROTOR');
    await page.fill('.bom-add-line input[name=component]', 'PUMP');
    await page.fill('.bom-add-line input[name=qty_per]', '1');
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/boms/ROTOR/lines' && r.request().method() === 'POST'),
      page.locator('.bom-add-line button[type=submit]').tap(),
    ]);
    // The refusal is shown at the form, whether the page was swapped by htmx or rendered anew.
    await page.locator('.bom-add-line').getByText(/makes a loop/).waitFor();
    await expect(page.locator('.bom-add-line').textContent()).resolves.toMatch(/Adding PUMP under ROTOR makes a loop: ROTOR > PUMP > ROTOR/);
    const stored = await h.db('bom_lines').where({ tenant_id: admin.tenantId }).count({ n: '*' });
    expect(Number(stored[0].n)).toBe(4);
    await h.screenshot('boms-loop-refused');
  });
});
