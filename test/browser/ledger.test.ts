import { Page } from 'playwright-core';
import { startBrowserHarness, BrowserHarness } from './support';
import { reconciliation } from '../../server/services/valuation';

// One story, in order, as a new customer lives it on a tablet: each step builds on the last.
// Every step checks what the page shows and what the database now holds.

jest.setTimeout(60_000);

const ADMIN = { organisation: 'Harbour Fabrication', name: 'Ada Admin', email: 'ada@harbour.example', password: 'correct horse battery' };
const SKU = 'BRG-6204';

let h: BrowserHarness;
let page: Page;
let tenantId: string;
let openingEventPath: string;

beforeAll(async () => {
  h = await startBrowserHarness();
  page = h.page;
});
afterAll(async () => { await h?.close(); });

async function count(table: string): Promise<number> {
  const [{ n }] = await h.db(table).where({ tenant_id: tenantId }).count({ n: '*' });
  return Number(n);
}

/** The cells of each body row of a table, as trimmed text. */
function tableRows(selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())));
}

/** A flag on window survives htmx swaps and boosted links but not a full page load. */
async function markDocument(): Promise<void> {
  await page.evaluate(() => { (window as unknown as { __sameDocument: boolean }).__sameDocument = true; });
}
function sameDocument(): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);
}

async function createPart(sku: string, name: string) {
  await page.goto('/parts/new');
  await page.fill('input[name=sku]', sku);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=unit]', 'each');
  await Promise.all([page.waitForURL(`**/parts/${sku}`), page.getByRole('button', { name: 'Create part' }).tap()]);
}

describe('the stock ledger in a browser', () => {
  it('first run: / leads to set-up, which creates the organisation and its admin and lands on /stock', async () => {
    await page.goto('/');
    await page.waitForURL('**/setup');
    await expect(page.locator('h1').textContent()).resolves.toBe('Welcome to Perpetua');

    await page.fill('input[name=organisation]', ADMIN.organisation);
    await page.fill('input[name=name]', ADMIN.name);
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await Promise.all([page.waitForURL('**/stock'), page.getByRole('button', { name: 'Create organisation' }).tap()]);

    await expect(page.locator('h1').textContent()).resolves.toBe('Stock');
    await expect(page.locator('.who').textContent()).resolves.toContain(`${ADMIN.name} · admin`);

    const tenants = await h.db('tenants').select('id', 'name');
    expect(tenants).toEqual([{ id: expect.any(String), name: ADMIN.organisation }]);
    tenantId = tenants[0].id;
    const users = await h.db('users').where({ tenant_id: tenantId }).select('email', 'name', 'role', 'password_hash');
    expect(users).toEqual([{ email: ADMIN.email, name: ADMIN.name, role: 'admin', password_hash: expect.not.stringContaining(ADMIN.password) }]);
    // "Create organisation", not the demo company: no parts.
    expect(await count('parts')).toBe(0);
    expect(await h.db('locations').where({ tenant_id: tenantId }).pluck('code')).toEqual(['MAIN']);
  });

  it('signs out, is kept out of /stock, and signs in again via /login back to /stock', async () => {
    await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: 'Sign out' }).tap()]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in');

    await page.goto('/stock');
    await page.waitForURL('**/login?next=%2Fstock');
    await expect(page.locator('.who').count()).resolves.toBe(0);

    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await Promise.all([page.waitForURL('**/stock'), page.getByRole('button', { name: 'Sign in' }).tap()]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Stock');
    await expect(page.locator('.who').textContent()).resolves.toContain(ADMIN.name);
  });

  it('creates a part on /parts/new', async () => {
    await createPart(SKU, 'Deep groove bearing 6204');
    await expect(page.locator('h1').textContent()).resolves.toContain(SKU);
    await expect(page.locator('[data-figure=on_hand]').textContent()).resolves.toBe('0');

    const part = await h.db('parts').where({ tenant_id: tenantId, sku: SKU }).first('name', 'unit', 'tracking');
    expect(part).toEqual({ name: 'Deep groove bearing 6204', unit: 'each', tracking: 'none' });
  });

  it('adds opening stock 10 @ 2.50 at MAIN and shows the event with its journal', async () => {
    await page.goto('/stock/opening');
    await page.fill('input[name=part]', SKU);
    await page.selectOption('select[name=location]', 'MAIN');
    await page.fill('input[name=quantity]', '10');
    await page.fill('input[name=unit_cost]', '2.50');
    await Promise.all([page.waitForURL('**/events/*'), page.getByRole('button', { name: 'Save' }).tap()]);

    await expect(page.locator('h1').textContent()).resolves.toContain('Opening stock');
    expect(await tableRows('table.grid:not(.journal)')).toEqual([[SKU, 'MAIN', '', '10', '2.5', '25.00']]);
    expect(await tableRows('table.journal')).toEqual([
      ['630 Raw Materials Stock', '25.00', ''],
      ['840 Historical Adjustment', '', '25.00'],
    ]);
    await h.screenshot('event-opening-stock');
    openingEventPath = new URL(page.url()).pathname;

    expect(await count('stock_movements')).toBe(1);
    const lines = await h.db('journal_lines').where({ tenant_id: tenantId }).orderBy('line_no').select('account_code', h.db.raw('trim_scale(amount)::text as amount'));
    expect(lines).toEqual([{ account_code: '630', amount: '25' }, { account_code: '840', amount: '-25' }]);
  });

  it.each(['ten', '0'])('refuses quantity %p on /stock/adjust inline, next to the field, and writes nothing', async (bad) => {
    const before = await count('stock_movements');
    await page.goto(`/stock/adjust?part=${SKU}`);
    await markDocument();
    await page.selectOption('select[name=location]', 'MAIN');
    await page.fill('input[name=quantity]', bad);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/stock/adjust') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Save' }).tap(),
    ]);
    expect(response.status()).toBe(422);
    expect(response.request().headers()['hx-request']).toBe('true');

    const error = page.locator('label.field:has(input[name=quantity]) small.error');
    await error.waitFor();
    expect(await error.getAttribute('id')).toBe('e-quantity');
    await expect(error.textContent()).resolves.toMatch(/^(must be a number|must not be zero)/);
    await expect(page.locator('input[name=quantity]').inputValue()).resolves.toBe(bad);
    await expect(page.locator('input[name=part]').inputValue()).resolves.toBe(SKU);
    await expect(page.locator('.problem').textContent()).resolves.toContain('Nothing was saved.');
    // Swapped in by htmx: same document, same URL.
    expect(await sameDocument()).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/stock/adjust');

    expect(await count('stock_movements')).toBe(before);
    expect(await count('stock_events')).toBe(1);
  });

  it('adjusts -2 and the part, journals and reconciliation pages agree', async () => {
    await page.goto(`/stock/adjust?part=${SKU}`);
    await page.selectOption('select[name=location]', 'MAIN');
    await page.fill('input[name=quantity]', '-2');
    await page.fill('input[name=reason]', 'Dropped in the coolant');
    await Promise.all([page.waitForURL('**/events/*'), page.getByRole('button', { name: 'Save' }).tap()]);
    await expect(page.locator('h1').textContent()).resolves.toContain('Adjustment');
    expect(await tableRows('table.grid:not(.journal)')).toEqual([[SKU, 'MAIN', '', '-2', '2.5', '-5.00']]);
    const adjustmentJournal = await tableRows('table.journal');
    expect(adjustmentJournal).toHaveLength(2);
    expect(adjustmentJournal).toContainEqual(['630 Raw Materials Stock', '', '5.00']);

    await page.goto(`/parts/${SKU}`);
    await expect(page.locator('[data-figure=on_hand]').textContent()).resolves.toBe('8');
    await expect(page.locator('[data-figure=value]').textContent()).resolves.toBe('20.00');
    await h.screenshot('part-page');

    const balance = await h.db('stock_balances').where({ tenant_id: tenantId }).first('on_hand');
    expect(Number(balance.on_hand)).toBe(8);
    expect(await count('stock_movements')).toBe(2);

    await page.goto('/journals');
    const journals = await tableRows('table.grid');
    expect(journals).toHaveLength(2);
    expect(journals.map((j) => j[3]).sort()).toEqual(['25.00', '5.00']);
    expect(await count('journals')).toBe(2);

    await page.goto('/reconciliation');
    await expect(page.locator('.lead .status').textContent()).resolves.toBe('Reconciled');
    expect((await reconciliation(h.db, tenantId)).reconciled).toBe(true);
  });


  it('shows business dates as YYYY-MM-DD (and recorded times as YYYY-MM-DD HH:MM) on the event, part, activity and journals pages', async () => {
    const shown: Record<string, string[]> = {};
    await page.goto(openingEventPath);
    shown.event = [(await page.locator('p.muted', { hasText: 'Dated' }).textContent())!.replace(/^Dated (.*?) · recorded.*$/s, '$1').trim()];
    await page.goto(`/parts/${SKU}`);
    shown.partMovements = (await tableRows('table.grid:last-of-type')).map((r) => r[0]);
    await page.goto('/events');
    const activity = await tableRows('table.grid');
    shown.activity = activity.map((r) => r[0]);
    const recorded = activity.map((r) => r[3]);
    await page.goto('/journals');
    shown.journals = (await tableRows('table.grid')).map((r) => r[1]);

    expect(Object.values(shown).every((dates) => dates.length > 0)).toBe(true);
    const iso = /^\d{4}-\d{2}-\d{2}$/;
    const wrong = [
      ...Object.entries(shown).flatMap(([where, dates]) => dates.filter((d) => !iso.test(d)).map((d) => `${where}: ${d}`)),
      ...recorded.filter((t) => !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(t)).map((t) => `activity recorded: ${t}`),
    ];
    expect(wrong).toEqual([]);
  });

  it('live search on /stock filters the rows in place, without a page load', async () => {
    await createPart('NUT-M8', 'Hex nut M8');
    await page.goto('/stock');
    const skus = () => page.locator('#stock-rows .rowlink strong').allTextContents();
    expect((await skus()).sort()).toEqual([SKU, 'NUT-M8']);
    await expect(page.locator('#stock-pager').textContent()).resolves.toContain('Parts 1–2 of 2');
    await markDocument();

    const search = page.locator('input[name=q]');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/stock?') && r.url().includes('q=BRG') && r.request().headers()['hx-request'] === 'true'),
      search.pressSequentially('BRG', { delay: 50 }),
    ]);
    await page.waitForFunction(() => document.querySelectorAll('#stock-rows tr').length === 1);
    expect(await skus()).toEqual([SKU]);
    // The pager under the table is refreshed out of band with the rows.
    await expect(page.locator('#stock-pager').textContent()).resolves.toContain('Parts 1–1 of 1');
    expect(await tableRows('table.grid')).toEqual([[`${SKU} Deep groove bearing 6204`, '8 each', '0', '8', '20.00']]);
    expect(await sameDocument()).toBe(true);
    expect(new URL(page.url()).searchParams.get('q')).toBe('BRG');
    await h.screenshot('stock-page-search');

    await search.fill('no-such-part');
    await page.locator('#stock-rows .empty').waitFor();
    await expect(page.locator('#stock-rows').textContent()).resolves.toContain('No parts match.');

    await search.fill('');
    await page.waitForFunction(() => document.querySelectorAll('#stock-rows .rowlink').length === 2);
    expect(await sameDocument()).toBe(true);
  });

  it('every visible button and nav link on /stock is at least 44 px tall', async () => {
    await page.goto('/stock');
    await h.screenshot('stock-page');
    const targets = await page.locator('button, a.button, [role=button], input[type=submit], nav a').evaluateAll((els) => els
      .filter((el) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === 'fixed')
      .map((el) => ({ text: (el.textContent ?? '').trim(), height: Math.round(el.getBoundingClientRect().height * 10) / 10 })));
    // The nav, Sign out, New part and Opening stock at least.
    expect(targets.length).toBeGreaterThanOrEqual(13);
    expect(targets.filter((t) => t.height < 44)).toEqual([]);
  });

  it('a wrong password on /login is refused with a message on the form', async () => {
    await page.goto('/stock');
    await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: 'Sign out' }).tap()]);
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', 'not the password');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign in' }).tap(),
    ]);
    // The server answers with the form and its message; the page must show it.
    expect(await response.text()).toContain('Email or password is not right');
    await expect(page.locator('.problem').textContent({ timeout: 3000 })).resolves.toContain('Email or password is not right');
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});
