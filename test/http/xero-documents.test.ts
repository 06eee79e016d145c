import request from 'supertest';
import nock from 'nock';
import { documentedApi } from './support/documented-api';
import { givenApiClient } from '../support/app';
import { givenOrganisation, givenPart } from '../support/builders';
import { csrfOf, signIn } from './support/session';
import { givenStock } from '../integration/jobs/helpers';
import { givenXeroConnection } from '../integration/xero/xero-double';
import { deliver, drainInvoiceEvents, invoiceEvent, xeroInvoices, xeroSalesInvoice } from '../integration/xero/invoice-fixtures';
import { Actor } from '../../server/services/stock/types';

const t = documentedApi();
afterEach(() => { nock.cleanAll(); });

/** An organisation with 5 gearboxes (finished goods) in stock, Xero connected, and one approved sales invoice for 2 listed. */
async function listedInvoice(actor: Actor) {
  await givenPart(t.db, actor, 'GBX-200', { source: 'made' });
  await givenStock(t.db, actor, [['GBX-200', 5, '120.00']]);
  const { xeroTenantId } = await givenXeroConnection(t.db, actor);
  const xero = xeroInvoices();
  const inv = xero.put(xeroSalesInvoice({ InvoiceNumber: 'INV-0042', LineItems: [{ ItemCode: 'GBX-200', Quantity: 2, UnitAmount: 450 }] }));
  await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
  await drainInvoiceEvents(t.db);
  const doc = await t.db('external_documents').where({ tenant_id: actor.tenantId, external_id: inv.InvoiceID }).first();
  return { inv, doc };
}

describe('/api/v1/xero/documents', () => {
  it('lists what became of each Xero document, and dispatches a listed sales invoice once when asked', async () => {
    const api = await givenApiClient(t.db, t.app);
    const { inv, doc } = await listedInvoice(api.actor);

    const list = await api.get('/api/v1/xero/documents').expect(200);
    t.expectDocumented(list, 'get', '/xero/documents');
    expect(list.body).toEqual({
      sales_invoice_dispatch: 'off',
      documents: [expect.objectContaining({ id: doc.id, kind: 'sales_invoice', external_id: inv.InvoiceID, number: 'INV-0042', contact_name: 'Brightwater Farms', external_status: 'AUTHORISED', outcome: 'listed', local_id: null, pending: null })],
    });

    const asked = await api.post(`/api/v1/xero/documents/${doc.id}/dispatch`).expect(200);
    t.expectDocumented(asked, 'post', '/xero/documents/{id}/dispatch');
    expect(asked.body.document).toMatchObject({ outcome: 'listed', pending: 'DISPATCH' });
    await api.post(`/api/v1/xero/documents/${doc.id}/dispatch`).expect(200);
    await drainInvoiceEvents(t.db);

    const [d] = await t.db('dispatches').where({ tenant_id: api.actor.tenantId });
    expect(await t.db('dispatches').where({ tenant_id: api.actor.tenantId })).toHaveLength(1);
    const after = (await api.get('/api/v1/xero/documents?kind=sales_invoice').expect(200)).body.documents[0];
    expect(after).toMatchObject({ outcome: 'dispatched', local_id: d.id, local_number: d.number, link: `/dispatches/${d.number}`, pending: null });
    const again = await api.post(`/api/v1/xero/documents/${doc.id}/dispatch`).expect(409);
    expect(again.body.error.message).toBe('Sales invoice INV-0042 is dispatched: only a listed or failed one can be dispatched');
    await api.post(`/api/v1/xero/documents/${doc.id}/retry`).expect(409);
    await api.post('/api/v1/xero/documents/9b2f3c1e-0000-4000-8000-000000000000/dispatch').expect(404);
  });

  it('turns automatic dispatch on and off for admins only, refusing other values', async () => {
    const admin = await givenApiClient(t.db, t.app);
    await givenXeroConnection(t.db, admin.actor);
    const put = (key: string, body: unknown) => request(t.app).put('/api/v1/xero/settings/sales-invoice-dispatch').set({ Authorization: `Bearer ${key}` }).send(body as object);
    const on = await put(admin.key, { mode: 'auto' }).expect(200);
    t.expectDocumented(on, 'put', '/xero/settings/sales-invoice-dispatch');
    expect(on.body).toEqual({ sales_invoice_dispatch: 'auto' });
    expect((await t.db('accounting_connections').where({ tenant_id: admin.actor.tenantId }).first()).sales_invoice_dispatch).toBe('auto');
    await put(admin.key, { mode: 'sometimes' }).expect(422);
    const { key: bookkeeper } = await import('../../server/services/auth/accounts').then((m) => m.createApiKey(t.db, admin.actor.tenantId, null, 'books', 'bookkeeper'));
    await put(bookkeeper, { mode: 'off' }).expect(403);
    const unconnected = await givenApiClient(t.db, t.app);
    await put(unconnected.key, { mode: 'auto' }).expect(404);
  });
});

describe('the Xero bills and invoices page', () => {
  it('shows each document with its outcome and message, dispatches a listed invoice from its button and saves the dispatch setting', async () => {
    const actor = await givenOrganisation(t.db);
    const { email } = await t.db('users').where({ id: actor.userId }).first('email');
    const agent = await signIn(t.app, email, 'correct horse battery');
    const { doc } = await listedInvoice(actor);
    const page = (await agent.get('/xero/documents').expect(200)).text;
    const row = new RegExp(`<tr id="xero-doc-${doc.id}">(.*?)</tr>`, 's').exec(page)?.[1] ?? '';
    expect(row).toMatch(/Sales invoice.*INV-0042.*Brightwater Farms.*AUTHORISED.*status-listed">listed<.*Ready to dispatch: press Dispatch, or turn on automatic dispatch.*>Dispatch<\/button>/s);
    expect(row).not.toContain('Try again');
    expect(page).toMatch(/<option value="off" selected>/);

    await agent.post(`/xero/documents/${doc.id}/dispatch`).type('form').send({ _csrf: csrfOf(page) }).expect(303).expect('location', '/xero/documents');
    const waiting = (await agent.get('/xero/documents').expect(200)).text;
    expect(waiting).toContain('dispatch requested…');
    expect(waiting).toContain('hx-trigger="load delay:2s"');
    await drainInvoiceEvents(t.db);
    const [d] = await t.db('dispatches').where({ tenant_id: actor.tenantId });
    const done = (await agent.get('/xero/documents').expect(200)).text;
    expect(done).toContain(`<a href="/dispatches/${d.number}">${d.number}</a>`);
    expect(done).not.toContain('hx-trigger');

    await agent.post('/xero/documents/settings').type('form').send({ mode: 'auto', _csrf: csrfOf(done) }).expect(303);
    expect((await agent.get('/xero/documents').expect(200)).text).toMatch(/<option value="auto" selected>/);
    await agent.post(`/xero/documents/${doc.id}/dispatch`).type('form').send({ mode: 'auto' }).expect(403);
  });
});
