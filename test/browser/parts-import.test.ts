import { Page, Route } from 'playwright-core';
import { startBrowserHarness, BrowserHarness } from './support';
import { createOrganisation } from '../../server/services/auth/accounts';
import { PART_CSV_COLUMNS } from '../../server/services/import-parts';

// A long parts file on a phone: the page answers at once with a progress bar that moves while the
// rows are checked, then shows what was imported.

jest.setTimeout(180_000);

const ADMIN = { name: 'Ivy Importer', email: 'ivy@import-works.example', password: 'correct horse battery' };
const ROWS = 6_000;
const CSV = [PART_CSV_COLUMNS.join(','), ...Array.from({ length: ROWS }, (_, i) => {
  const sku = `BULK-${String(i + 1).padStart(5, '0')}`;
  return [sku, `Bulk part ${i + 1}`, '', 'each', '', 'bought', 'none', '', '', 'MAIN', '2', '0.50', '', ''].join(',');
})].join('\n');

let h: BrowserHarness;
let page: Page;
let tenantId: string;

beforeAll(async () => {
  h = await startBrowserHarness();
  page = h.page;
  const user = await createOrganisation(h.db, { organisation: 'Import Works', name: ADMIN.name, email: ADMIN.email, password: ADMIN.password });
  tenantId = user.tenantId;
}, 120_000);
afterAll(async () => { await h?.close(); });

describe('parts import on a phone', () => {
  it('uploads a file, shows the progress bar, then the parts and stock imported', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/login');
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await Promise.all([page.waitForURL('**/stock'), page.getByRole('button', { name: 'Sign in' }).tap()]);
    await page.goto('/import');
    // The bar's polls wait until it has been looked at, so the screenshot shows it on any machine.
    const polls: Route[] = [];
    const poll = /\/imports\/[0-9a-f-]{36}$/;
    await page.route(poll, (route) => void polls.push(route));
    await page.setInputFiles('input[name=file]', { name: 'parts.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    const [posted] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/import' && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Import' }).tap(),
    ]);
    expect(posted.status()).toBe(202);
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    const bar = page.locator('progress.import-bar');
    await bar.waitFor({ state: 'visible' });
    // Out of the file's rows once it has been read; a busy bar (no max) while it is being read.
    expect([null, String(ROWS)]).toContain(await bar.getAttribute('max'));
    await expect(page.locator('.import-stage').textContent()).resolves.toMatch(/Reading the file|Checking the rows|rows read|Writing/);
    await h.screenshot('parts-import-progress-390');
    await page.route(poll, (route) => route.continue());
    for (const route of polls.splice(0)) await route.continue();

    const notice = page.locator('#import-run .notice[role=status]');
    await notice.waitFor({ state: 'visible', timeout: 150_000 });
    await expect(notice.textContent()).resolves.toMatch(/Imported 6,000 part\(s\) and 6,000 stock line\(s\)\./);
    await expect(bar.count()).resolves.toBe(0);
    const parts = await h.db('parts').where({ tenant_id: tenantId }).count({ n: '*' }).first();
    expect(Number(parts!.n)).toBe(ROWS);
    const stock = await h.db('stock_balances').where({ tenant_id: tenantId }).sum({ q: 'on_hand' }).first();
    expect(Number(stock!.q)).toBe(2 * ROWS);
    await h.screenshot('parts-import-done-390');
  });
});
