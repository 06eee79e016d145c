import { Db, Trx } from '../../../db';
import { Supplier } from '../../../services/purchasing/suppliers';
import { WebhookHandler } from '../../../jobs/webhook-worker';
import { callXero, describe, XeroDeps } from '../api';
import { XeroConnection, xeroConnection } from '../connections';
import { text } from './values';
import { OLDEST_FIRST, OnPage, Paged, pullPages } from './paging';

export type XeroContact = { contactId: string; name: string; currency?: string | null };

/**
 * Suppliers: GET /Contacts?where=IsSupplier==true, paged, with If-Modified-Since once a cursor
 * exists. Each is upserted on its own (a contact is one row; no transaction needed across them).
 */
export async function pullSuppliers(deps: XeroDeps, connection: XeroConnection, since?: Date, onPage?: OnPage): Promise<Paged> {
  return pullPages<any>(deps, connection, since, {
    what: 'its contacts',
    page: (ifModifiedSince, page) => (api, id) => api.getContacts(id, ifModifiedSince, 'IsSupplier==true', OLDEST_FIRST, undefined, page, undefined, undefined, undefined, undefined),
    records: (body) => body?.contacts,
    take: async (c) => {
      if (!c.contactID || !text(c.name).trim()) return false;
      await deps.db.transaction((trx) => upsertSupplier(trx, connection.tenantId, { contactId: c.contactID, name: text(c.name), currency: text(c.defaultCurrency) || null }));
      return true;
    },
  }, onPage);
}

/**
 * Our supplier for a Xero contact, by ContactID. A supplier typed in before the connection (same
 * name, no link) is linked rather than duplicated; a name changed in Xero is followed here. If
 * the name belongs to another linked supplier (two Xero contacts once shared it), the contact
 * keeps a name marked with its id instead of failing the whole pull.
 */
export async function upsertSupplier(trx: Trx, tenantId: string, c: XeroContact): Promise<Supplier> {
  const suppliers = () => trx('suppliers').where({ tenant_id: tenantId });
  const name = c.name.trim();
  const holder = await suppliers().whereRaw('lower(name) = lower(?)', [name]).forUpdate().first();
  const linked = await suppliers().where({ external_id: c.contactId }).forUpdate().first();
  let row = linked;
  if (linked && linked.name !== name && (!holder || holder.id === linked.id)) {
    [row] = await suppliers().where({ id: linked.id }).update({ name }).returning('*');
  } else if (!linked && holder && !holder.external_id) {
    [row] = await suppliers().where({ id: holder.id }).update({ external_id: c.contactId, currency: holder.currency ?? c.currency ?? null }).returning('*');
  } else if (!linked) {
    const free = !holder ? name : `${name} (${c.contactId.slice(0, 8)})`;
    [row] = await trx('suppliers').insert({ tenant_id: tenantId, name: free, currency: c.currency ?? null, external_id: c.contactId }).returning('*');
  }
  return { id: row.id, name: row.name, currency: row.currency };
}

/**
 * CONTACT webhook events: the event names only the contact, so fetch it and upsert it when it is
 * a supplier (or already linked to one, so a rename is followed). Throws to be retried later.
 */
export function contactWebhookHandler(deps: XeroDeps): WebhookHandler {
  return async (event) => {
    const tenantId = event.tenantId;
    if (!tenantId) return; // no organisation of ours is linked to that Xero organisation
    const connection = await xeroConnection(deps.db, tenantId);
    if (!connection || connection.status === 'disconnected') return;
    const answer = await callXero(deps, connection, (api, id) => api.getContact(id, event.resourceId));
    if (answer.status === 404) return;
    if (answer.status !== 200) throw new Error(`Xero did not give contact ${event.resourceId} (${answer.status}: ${describe(answer.body)})`);
    const c: any = answer.body?.contacts?.[0] ?? {};
    const contactId = c?.contactID as string | undefined;
    if (!contactId || !text(c.name).trim()) return;
    if (!c.isSupplier && !(await isLinked(deps.db, tenantId, contactId))) return;
    await deps.db.transaction((trx) => upsertSupplier(trx, tenantId, { contactId, name: text(c.name), currency: text(c.defaultCurrency) || null }));
  };
}

async function isLinked(db: Db, tenantId: string, contactId: string): Promise<boolean> {
  return !!(await db('suppliers').where({ tenant_id: tenantId, external_id: contactId }).first('id'));
}
