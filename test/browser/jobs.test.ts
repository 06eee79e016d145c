import { Page, Response } from 'playwright-core';
import { startBrowserHarness, BrowserHarness } from './support';
import { createOrganisation, addUser } from '../../server/services/auth/accounts';
import { Actor } from '../../server/services/stock/types';
import { onHand } from '../support/ledger-checks';
import { givenPumpWorks, available } from '../integration/jobs/helpers';

// A job card worked on the shop-floor tablet, in order: each step builds on the last and checks
// what the page shows and what the database now holds. The pump's BOM goes straight into
// bom_lines (givenPumpWorks): step 1 fits a frame and 4 screws (10% attrition), step 2 a motor.

jest.setTimeout(90_000);

const OPERATOR = { name: 'Otto Operator', email: 'otto@pump-works.example', password: 'shop floor password' };

let h: BrowserHarness;
let page: Page;
let admin: Actor;
let jobNumber: string;

beforeAll(async () => {
  h = await startBrowserHarness();
  page = h.page;
  const user = await createOrganisation(h.db, { organisation: 'Pump Works', name: 'Ada Admin', email: 'ada@pump-works.example', password: 'correct horse battery' });
  admin = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  await addUser(h.db, admin.tenantId, { ...OPERATOR, role: 'operations' });
  await givenPumpWorks(h.db, admin); // 10 frames @ 5.00, 100 screws @ 0.10, motors M1-M3 @ 50.00
}, 120_000);
afterAll(async () => { await h?.close(); });

/** Waits for the htmx POST to a path ending in `path` that `act` causes, and for the swap to settle. */
async function posting(path: string, act: () => Promise<unknown>): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(path) && r.request().method() === 'POST'),
    act(),
  ]);
  await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping'));
  return response;
}

const textOf = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
const lineFigure = (sku: string, fig: string) => textOf(`.job-lines tr[data-part="${sku}"] [data-fig="${fig}"]`);

/** The Stock page's row for a part: [on hand, allocated, available]. */
async function stockRow(sku: string): Promise<string[]> {
  await page.goto(`/stock?q=${sku}`);
  const row = page.locator('tbody tr', { has: page.locator(`a[href="/parts/${sku}"]`) });
  return (await row.locator('td.num').allTextContents()).slice(0, 3).map((s) => s.replace(/\s+/g, ' ').trim());
}

describe('a job card on the shop-floor tablet', () => {
  it('signs in and creates a job card from the board, released at once', async () => {
    await page.goto('/login');
    await page.fill('input[name=email]', OPERATOR.email);
    await page.fill('input[name=password]', OPERATOR.password);
    await Promise.all([page.waitForURL('**/stock'), page.getByRole('button', { name: 'Sign in' }).tap()]);
    expect(await stockRow('FRAME')).toEqual(['10 each', '0', '10']);

    await Promise.all([page.waitForURL('**/jobs'), page.getByRole('link', { name: 'Jobs', exact: true }).tap()]);
    await page.locator('#job-new > summary').tap();
    // A refusal first: the part has no BOM, shown at the field.
    await page.fill('#f-part', 'FRAME');
    await page.fill('#f-quantity', '2');
    const refused = await posting('/jobs', () => page.getByRole('button', { name: 'Create job card' }).tap());
    expect(refused.status()).toBe(422);
    expect(await textOf('#e-part')).toBe('FRAME has no bill of materials: add its BOM before making a job card for it');
    await h.screenshot('jobs-new-refused');

    await page.fill('#f-part', 'PUMP');
    await page.fill('#f-customer', 'Hydro Ltd');
    await page.fill('#f-sale_price', '250');
    await page.locator('#f-release').check();
    await Promise.all([page.waitForURL(/\/jobs\/J-\d+$/), page.getByRole('button', { name: 'Create job card' }).tap()]);
    jobNumber = page.url().split('/').pop()!;
    expect(await textOf('#job-status')).toBe('released');
    expect([await lineFigure('FRAME', 'allocated'), await lineFigure('SCREW', 'allocated'), await lineFigure('MOTOR', 'allocated')]).toEqual(['2', '9', '2']);
    expect(await page.locator('.job-lines tr[data-part="MOTOR"] .tag').allTextContents()).toEqual(['M1', 'M2']);
    await h.screenshot('jobs-card-released');

    await page.goto('/jobs');
    expect(await textOf(`#col-released [data-job="${jobNumber}"]`)).toContain('Hydro Ltd');
    await h.screenshot('jobs-board');
  });

  it('shows the allocation everywhere: available drops, on hand does not', async () => {
    expect(await stockRow('FRAME')).toEqual(['10 each', '2', '8']);
    await page.goto('/parts/MOTOR');
    expect(await textOf('[data-figure="available"]')).toBe('1');
    expect(await available(h.db, admin, 'SCREW')).toBe('91');
  });

  it('completes step 1: stock falls and the WIP journal is on the event page', async () => {
    await page.goto(`/jobs/${jobNumber}`);
    await expect(page.locator('#step-1-qty').inputValue()).resolves.toBe('2');
    await posting('/steps/1', () => page.locator('#step-1').getByRole('button', { name: 'One unit fewer' }).tap());
    await expect(page.locator('#step-1-qty').inputValue()).resolves.toBe('1');
    await posting('/steps/1', () => page.locator('#step-1').getByRole('button', { name: 'One unit more' }).tap());
    await page.locator('#step-1 input[name=labour_minutes]').fill('20');
    const done = await posting('/steps/1', () => page.getByRole('button', { name: 'Complete step 1' }).tap());
    expect(done.status()).toBe(200);
    expect(await textOf('#job-notice')).toBe('Step 1 done for 2 of 2');
    expect(await textOf('#step-1 [data-fig="step-done"]')).toBe('2 of 2 done');
    expect([await lineFigure('FRAME', 'consumed'), await lineFigure('SCREW', 'consumed')]).toEqual(['2', '9']);
    expect(await textOf('#job-status')).toBe('in progress');
    expect(await textOf('[data-fig="wip"]')).toBe('10.90');
    expect(await onHand(h.db, admin, 'FRAME')).toBe('8');
    await h.screenshot('jobs-step-done');

    await Promise.all([page.waitForURL(/\/events\//), page.locator('.job-history tbody tr').first().getByRole('link', { name: 'Stock event' }).tap()]);
    const journal = await page.locator('table.journal tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim())));
    expect(journal.map((r) => r.slice(1))).toEqual([['10.90', ''], ['', '10.90']]);
    expect(journal[0][0]).toMatch(/Work in progress|WIP/i);
    expect(await page.locator('header.top').count()).toBe(1); // a whole page, not one swapped into the card
    await h.screenshot('jobs-step-event');
    expect(await stockRow('FRAME')).toEqual(['8 each', '0', '8']);
  });

  it('completes the job with a serial scanned for each pump, refusing a repeated scan', async () => {
    await page.goto(`/jobs/${jobNumber}`);
    const box = page.locator('#entry-output');
    await box.focus();
    await posting('/complete', () => page.keyboard.type('PUMP-0001\n', { delay: 5 }));
    expect(await textOf('#serial-count')).toBe('1');
    // The scan box has the focus again for the next scan.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('entry-output');
    const dup = await posting('/complete', () => page.keyboard.type('PUMP-0001\n', { delay: 5 }));
    expect(dup.status()).toBe(422);
    expect(await textOf('#complete .problem')).toBe('Serial PUMP-0001 is already in the list for PUMP');
    await page.locator('#entry-output').focus();
    await posting('/complete', () => page.keyboard.type('PUMP-0002\n', { delay: 5 }));
    expect(await page.locator('#complete .gi-serial-list .tag').allTextContents()).toEqual(['PUMP-0001', 'PUMP-0002']);
    await h.screenshot('jobs-serials-scanned');

    const done = await posting('/complete', () => page.getByRole('button', { name: 'Complete job' }).tap());
    expect(done.status()).toBe(200);
    expect(await textOf('#job-notice')).toBe(`Job ${jobNumber} completed: 2 PUMP received into finished goods`);
    expect(await textOf('#job-status')).toBe('completed');
    expect(await textOf('[data-fig="finished"]')).toBe('110.90');
    expect(await textOf('[data-fig="unit-cost"]')).toBe('55.45');
    expect(await page.locator('.job-outputs a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['/trace/serial/PUMP/PUMP-0001', '/trace/serial/PUMP/PUMP-0002']);
    expect(await onHand(h.db, admin, 'PUMP')).toBe('2');
    expect(await onHand(h.db, admin, 'MOTOR')).toBe('1');
    await h.screenshot('jobs-completed');
  });

  it('dispatches one pump by serial from the job card, making the margin actual', async () => {
    await Promise.all([page.waitForURL(/\/dispatches\?job=/), page.locator('.job-actions').getByRole('link', { name: 'Dispatch', exact: true }).tap()]);
    await expect(page.locator('#f-customer').inputValue()).resolves.toBe('Hydro Ltd');
    await page.locator('textarea[name="lines[0][serials]"]').focus();
    await page.keyboard.type('PUMP-0001\n', { delay: 5 });
    await Promise.all([page.waitForURL(/\/dispatches\/D-\d+$/), page.getByRole('button', { name: 'Dispatch', exact: true }).tap()]);
    expect(await textOf('h1')).toMatch(/^Dispatch D-\d+$/);
    expect(await textOf('[data-fig="cost"]')).toBe('55.45');
    expect(await onHand(h.db, admin, 'PUMP')).toBe('1');
    await h.screenshot('jobs-dispatch');

    await page.goto(`/jobs/${jobNumber}`);
    expect(await page.locator('tr[data-margin="actual"] td').allTextContents()).toEqual(['Actual (as dispatched)', '250.00', '55.45', '194.55', '77.8']);
  });

  it('traces the dispatched serial, when the trace page is there', async () => {
    const res = await page.goto('/trace/serial/PUMP/PUMP-0001');
    if (res?.status() === 404) {
      console.warn('/trace/serial is not served yet: the trace step is skipped');
      return;
    }
    expect(res?.status()).toBe(200);
    const body = await textOf('main');
    expect(body).toContain(jobNumber);
    expect(body).toContain('Hydro Ltd');
    expect(body).toContain('M1'); // the motor that went into it
    await h.screenshot('jobs-trace');
  });
});
