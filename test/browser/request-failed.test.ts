import { Page, Request } from 'playwright-core';
import path from 'node:path';
import { startBrowserHarness, BrowserHarness, SCREENSHOTS } from './support';
import { createOrganisation } from '../../server/services/auth/accounts';
import { Actor } from '../../server/services/stock/types';
import { givenPumpWorks, givenJob } from '../integration/jobs/helpers';

// A request that fails shows a banner with the reason, Retry and Dismiss (public/request-failed.js):
// "Connect to Xero" on a Perpetua with no Xero app (503), the same button with the network down,
// and a job card's step posted while the network is down, then sent again by Retry.

jest.setTimeout(90_000);

const ADMIN = { email: 'ada@failing.example', password: 'correct horse battery' };
const BANNER = '#request-failed';
const OFFLINE = 'Could not reach Perpetua — check the connection';

let h: BrowserHarness;
let page: Page;
let admin: Actor;
const posts: string[] = [];

beforeAll(async () => {
  h = await startBrowserHarness(); // no Xero app configured: connecting answers 503
  page = h.page;
  const user = await createOrganisation(h.db, { organisation: 'Failing Works', name: 'Ada Admin', ...ADMIN });
  admin = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  await givenPumpWorks(h.db, admin);
  page.on('request', (r: Request) => { if (r.method() === 'POST') posts.push(new URL(r.url()).pathname); });
}, 120_000);
afterAll(async () => { await h?.close(); });

const bannerText = async () => ((await page.locator(`${BANNER} #request-failed-message`).textContent()) ?? '').trim();
const sent = (to: string) => posts.filter((p) => p === to).length;

/** What the screen shows (not the whole page): the banner is pinned to the screen's bottom. */
async function screen(name: string): Promise<string> {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Taps `button` and waits for the POST to `path` to fail (an answer or none) and the banner to show. */
async function failing(to: string, tap: () => Promise<unknown>): Promise<void> {
  const before = sent(to);
  await tap();
  await page.waitForFunction(([b]) => !(document.querySelector(b) as HTMLElement).hidden, [BANNER]);
  expect(sent(to)).toBe(before + 1);
}

describe('a request that fails', () => {
  it('shows the server\'s reason when Connect to Xero answers 503, with Retry and Dismiss', async () => {
    await page.goto('/login');
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await Promise.all([page.waitForURL('**/stock'), page.getByRole('button', { name: 'Sign in' }).tap()]);
    await page.goto('/settings/xero');
    expect(await page.locator(BANNER).isHidden()).toBe(true);

    const connect = '/settings/xero/connect';
    await failing(connect, () => page.locator('#xero-connect').tap());
    expect(await bannerText()).toMatch(/^Xero is not set up on this Perpetua: XERO_CLIENT_ID/);
    expect(await page.getByRole('alert').filter({ has: page.locator('#request-failed-retry') }).count()).toBe(1);
    console.log('screenshot', await h.screenshot('request-failed-503-tablet'));
    await page.setViewportSize({ width: 390, height: 844 });
    const retry = await page.locator('#request-failed-retry').boundingBox();
    expect(retry!.height).toBeGreaterThanOrEqual(44); // a thumb's target, on a phone
    expect(retry!.x + retry!.width).toBeLessThanOrEqual(390);
    console.log('screenshot', await screen('request-failed-503-phone'));
    await page.setViewportSize({ width: 1024, height: 768 });

    await failing(connect, () => page.locator('#request-failed-retry').tap()); // Retry sends it again
    expect(await bannerText()).toMatch(/^Xero is not set up/);
    await page.locator('#request-failed-dismiss').tap();
    expect(await page.locator(BANNER).isHidden()).toBe(true);
  });

  it('says the connection failed when nothing answers, and Retry sends the same request when it is back', async () => {
    const connect = '/settings/xero/connect';
    await page.route(`**${connect}`, (route) => route.abort('internetdisconnected'));
    await failing(connect, () => page.locator('#xero-connect').tap());
    expect(await bannerText()).toBe(OFFLINE);
    console.log('screenshot', await h.screenshot('request-failed-offline-tablet'));
    await page.unroute(`**${connect}`);
    await failing(connect, () => page.locator('#request-failed-retry').tap());
    expect(await bannerText()).toMatch(/^Xero is not set up/); // the server answered this time
    await page.locator('#request-failed-dismiss').tap();
  });

  it('completes a job step on Retry after the network dropped its first post, swapping the card in place', async () => {
    const job = await givenJob(h.db, admin, 'PUMP', 1, { release: true });
    const step1 = `/jobs/${job.number}/steps/1`;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/jobs/${job.number}`);
    await page.route(`**${step1}`, (route) => route.abort('connectionreset'));
    await failing(step1, () => page.getByRole('button', { name: 'Complete step 1' }).tap());
    expect(await bannerText()).toBe(OFFLINE);
    console.log('screenshot', await screen('request-failed-job-step-phone'));
    const consumed = async () => (await h.db('job_lines').where({ job_id: job.id, step: 1 }).orderBy('position')
      .pluck('consumed_qty')).map(Number);
    expect(await consumed()).toEqual([0, 0]);

    await page.unroute(`**${step1}`);
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === step1 && r.status() === 200),
      page.locator('#request-failed-retry').tap(),
    ]);
    await page.locator('#job-notice').waitFor();
    expect(await page.locator('#job-notice').textContent()).toContain('Step 1 done for 1 of 1');
    expect(await page.locator(BANNER).isHidden()).toBe(true);
    expect(new URL(page.url()).pathname).toBe(`/jobs/${job.number}`);
    expect(await consumed()).toEqual([1, 5]); // one frame and the screws (4 + 10% attrition, whole units): once
  });
});
