import request from 'supertest';
import { Page } from 'playwright-core';
import { startBrowserHarness, BrowserHarness } from './support';
import { startFakeXero, FakeXero } from '../support/fake-xero/server';
import { fakeXeroConfig, giveMappedAccounts } from '../support/fake-xero/connect';
import { FakeOrganisation } from '../support/fake-xero/state';
import { drainXeroSync } from '../../server/jobs/xero-sync-worker';
import { drainWebhooks } from '../../server/jobs/webhook-worker';
import { drainOutbox } from '../../server/jobs/outbox-worker';
import { createRegistry } from '../../server/connectors/registry';
import { tenantForExternal } from '../../server/connectors/xero/connections';
import { xeroDeps, xeroWebhookHandlers } from '../../server/connectors/xero/wiring';
import { forgetLimits } from '../../server/connectors/xero/limits';
import { Actor } from '../../server/services/stock/types';
import { sign, XERO_WEBHOOK_KEY } from '../webhooks/xero-deliveries';
import { postStockEvent } from '../../server/services/stock/post-event';
import { line } from '../support/ledger-checks';
import { today } from '../../server/clock';

// The Xero flows in a real browser: "Sign up with Xero" through Xero's consent page (the fake
// Xero's, on another loopback port), the connection page, the first sync bringing a PO, a bill
// arriving by webhook on the Xero documents page, and Disconnect.

jest.setTimeout(90_000);

let h: BrowserHarness;
let page: Page;
let fake: FakeXero;
let org: FakeOrganisation;
let config: ReturnType<typeof fakeXeroConfig>;

beforeAll(async () => {
  forgetLimits();
  fake = await startFakeXero();
  h = await startBrowserHarness((baseUrl) => {
    config = fakeXeroConfig(fake);
    config = { ...config, xero: { ...config.xero, redirectUri: `${baseUrl}/xero/callback` } };
    return { ...config, xeroWebhookKey: XERO_WEBHOOK_KEY, signup: 'first-run' };
  });
  page = h.page;
  org = fake.organisation('Kestrel Pumps Ltd');
  const supplier = org.addSupplier('Acme Bearings');
  org.addItem('BRG-6204', 'Bearing 6204');
  org.addPurchaseOrder(supplier, [{ ItemCode: 'BRG-6204', Quantity: 50, UnitAmount: 4.2 }]);
});
afterAll(async () => {
  await h?.close();
  await fake?.stop();
});

const workers = () => {
  const deps = xeroDeps(h.db, config);
  return {
    sync: () => drainXeroSync(h.db, deps),
    webhooks: () => drainWebhooks(h.db, xeroWebhookHandlers(deps), { resolveTenant: (p, id) => tenantForExternal(h.db, p, id) }),
    outbox: () => drainOutbox(h.db, createRegistry(h.db, config), { publicUrl: h.baseUrl }),
  };
};

let actor: Actor;

it('signs up with Xero: consent in Xero, then the new organisation, connected, on its Xero page', async () => {
  await page.goto('/setup');
  fake.willConsent([org], { email: 'kim@kestrel.test', givenName: 'Kim', familyName: 'Kestrel' });
  await page.getByRole('link', { name: 'Sign up with Xero' }).click();
  await page.waitForURL(/identity\/connect\/authorize/);
  await page.getByRole('button', { name: 'Allow access' }).click();
  await page.waitForURL(/\/settings\/xero/);
  await page.locator('#xero-status').waitFor();
  expect(await page.locator('#xero-status').innerText()).toBe('Connected');
  expect(await page.locator('#xero-connection h2').innerText()).toBe('Kestrel Pumps Ltd');
  expect(await page.locator('#xero-notice').innerText()).toContain('Xero is connected');
  const user = await h.db('users').where({ email: 'kim@kestrel.test' }).first();
  actor = { tenantId: user.tenant_id, userId: user.id, role: 'admin' };
  expect(await h.db('tenants').where({ id: actor.tenantId }).first('name')).toEqual({ name: 'Kestrel Pumps Ltd' });
  await h.screenshot('xero-connected');
});

it('syncs on request: the Xero PO is there to receive, and the page shows the last sync', async () => {
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.locator('#xero-notice').filter({ hasText: 'A sync will start' }).waitFor();
  expect(await workers().sync()).toBe(1);
  await page.goto('/settings/xero');
  expect(await page.locator('#xero-sync').innerText()).not.toContain('not yet');
  await page.goto('/purchase-orders');
  await page.getByText('Acme Bearings').first().waitFor();
  const po = await h.db('purchase_orders').where({ tenant_id: actor.tenantId }).first('status', 'external_id');
  expect(po).toMatchObject({ status: 'open', external_id: [...org.purchaseOrders.keys()][0] });
});

it('shows a bill that arrived by webhook on the Xero bills and invoices page', async () => {
  await giveMappedAccounts(h.db, actor, org);
  const supplier = [...org.contacts.values()][0];
  const bill = org.addInvoice('ACCPAY', supplier, [{ Description: 'Carriage', Quantity: 1, UnitAmount: 35, AccountCode: '425' }], { number: 'INV-9001' });
  const body = JSON.stringify({ events: [{ resourceUrl: `${fake.apiUrl}/Invoices/${bill.InvoiceID}`, resourceId: bill.InvoiceID, eventDateUtc: '2026-11-25T10:00:00.000', eventType: 'CREATE', eventCategory: 'INVOICE', tenantId: org.tenantId, tenantType: 'ORGANISATION' }], firstEventSequence: 1, lastEventSequence: 1, entropy: 'ABC' });
  await request(h.baseUrl).post('/webhooks/xero').set('content-type', 'application/json').set('x-xero-signature', sign(body)).send(body).expect(200);
  expect(await workers().webhooks()).toBe(1);
  await page.goto('/settings/xero');
  await page.getByRole('link', { name: 'Bills and invoices from Xero' }).click();
  const row = page.locator('#xero-document-rows tr', { hasText: 'INV-9001' });
  await row.waitFor();
  expect(await row.innerText()).toContain('recorded');
  await h.screenshot('xero-documents');
});

it('puts a refused journal right: the exceptions page says why, the mapping is fixed, Send again posts it once', async () => {
  const mapped = await h.db('account_mappings').where({ tenant_id: actor.tenantId, role: 'raw_materials' }).first('account_code');
  org.archiveAccount(mapped.account_code);
  org.addAccount('634', 'Stores Stock', 'CURRENT');
  await postStockEvent(h.db, actor, { kind: 'receipt', occurredOn: today(), lines: [line('BRG-6204', 'MAIN', 2, '4.20')] });
  await workers().outbox();
  expect(org.manualJournals).toHaveLength(0);

  await page.goto('/exceptions');
  const refused = page.locator('.card', { hasText: 'Stock receipt' });
  await refused.waitFor();
  expect(await refused.locator('.exception-reason').innerText()).toContain(mapped.account_code);
  await h.screenshot('xero-exceptions');

  // The bookkeeper pulls the chart (634 is new in Xero) and maps raw materials to it.
  await page.goto('/settings/xero');
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.locator('#xero-notice').filter({ hasText: 'A sync will start' }).waitFor();
  await workers().sync();
  await page.goto('/settings');
  await page.getByLabel('Raw materials stock code').fill('634');
  await page.getByLabel('Raw materials stock name').fill('Stores Stock');
  const posted = (path: RegExp) => (r: import('playwright-core').Response) => r.request().method() === 'POST' && path.test(new URL(r.url()).pathname);
  await Promise.all([page.waitForResponse(posted(/^\/settings$/)), page.getByRole('button', { name: 'Save settings' }).click()]);
  expect(await h.db('account_mappings').where({ tenant_id: actor.tenantId, role: 'raw_materials' }).first('account_code')).toEqual({ account_code: '634' });

  await page.goto('/exceptions');
  const card = page.locator('.card', { hasText: 'Stock receipt' });
  await Promise.all([page.waitForResponse(posted(/\/retry$/)), card.getByRole('button', { name: 'Send again' }).click()]);
  await page.locator('#no-exceptions').waitFor(); // queued again, so no longer an exception
  await workers().outbox();
  expect(org.manualJournals).toHaveLength(1);
  const sent = org.manualJournals[0].journal as { JournalLines: { AccountCode: string; LineAmount: number }[] };
  expect(sent.JournalLines.map((l) => [l.AccountCode, l.LineAmount])).toEqual([['634', 8.4], [expect.any(String), -8.4]]);
});

it('disconnects after confirming: Xero is told, and the page offers to reconnect', async () => {
  await page.goto('/settings/xero');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.locator('#xero-status').filter({ hasText: 'Disconnected' }).waitFor();
  expect(await page.getByRole('button', { name: 'Reconnect to Xero' }).isVisible()).toBe(true);
  expect(org.connectionId).toBe('');
  expect(await h.db('accounting_connections').where({ tenant_id: actor.tenantId }).first('status', 'refresh_token_enc')).toEqual({ status: 'disconnected', refresh_token_enc: null });
  await h.screenshot('xero-disconnected');
});
