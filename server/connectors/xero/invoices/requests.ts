import { Db } from '../../../db';
import { Conflict, NotFound } from '../../../errors';
import { isUuid } from '../../../domain/ids';
import { Actor } from '../../../services/stock/types';
import { documentById, DocumentKind, DocumentRow, listDocuments, Outcome } from './documents';
import { REQUEST_TYPES } from './handler';
import { DispatchMode } from './sales-invoices';

// What a person asks of a Xero document from its page or the API. Both need the invoice as Xero
// has it now (it may have been voided since), so they are queued as an INVOICE event for the
// webhook worker, which alone calls Xero: it fetches, dispatches or records with the same code
// as a webhook, retries while Xero is unavailable, and keeps within the organisation's limits.

export type XeroDocumentsPage = { documents: DocumentRow[]; salesInvoiceDispatch: DispatchMode | null };

export async function xeroDocuments(db: Db, tenantId: string, opts: { kind?: DocumentKind; outcome?: Outcome } = {}): Promise<XeroDocumentsPage> {
  const connection = await db('accounting_connections').where({ tenant_id: tenantId, provider: 'xero' }).first('sales_invoice_dispatch');
  return { documents: await listDocuments(db, tenantId, opts), salesInvoiceDispatch: connection?.sales_invoice_dispatch ?? null };
}

/** Dispatch a listed (or failed) sales invoice now, whatever the automatic setting says. */
export async function requestDispatch(db: Db, actor: Actor, id: string): Promise<DocumentRow> {
  const doc = await documentFor(db, actor.tenantId, id);
  if (doc.kind !== 'sales_invoice') throw new Conflict(`${doc.number || doc.externalId} is a bill: only sales invoices are dispatched`);
  if (doc.outcome !== 'listed' && doc.outcome !== 'failed') throw new Conflict(`Sales invoice ${doc.number} is ${doc.outcome}: only a listed or failed one can be dispatched`);
  return enqueue(db, actor, doc.id, REQUEST_TYPES.dispatch);
}

/** Fetch a failed document from Xero again and act on it as it is now. */
export async function requestRetry(db: Db, actor: Actor, id: string): Promise<DocumentRow> {
  const doc = await documentFor(db, actor.tenantId, id);
  if (doc.outcome !== 'failed') throw new Conflict(`${doc.number || doc.externalId} is ${doc.outcome}: only a failed one is tried again`);
  return enqueue(db, actor, doc.id, REQUEST_TYPES.retry);
}

export async function setSalesInvoiceDispatch(db: Db, tenantId: string, mode: DispatchMode): Promise<DispatchMode> {
  const n = await db('accounting_connections').where({ tenant_id: tenantId, provider: 'xero' }).update({ sales_invoice_dispatch: mode, updated_at: db.fn.now() });
  if (!n) throw new NotFound('Xero connection for', 'this organisation');
  return mode;
}

async function documentFor(db: Db, tenantId: string, id: string) {
  const doc = isUuid(id) ? await documentById(db, tenantId, id) : null;
  if (!doc) throw new NotFound('Xero document', id);
  return doc;
}

/**
 * One queued request per document state: pressing the button twice before the worker gets to it
 * adds nothing (the dedupe key repeats), and the dispatch itself is keyed by the InvoiceID.
 */
async function enqueue(db: Db, actor: Actor, id: string, type: string): Promise<DocumentRow> {
  const row = await db('external_documents as d').join('accounting_connections as c', (j) => j.on('c.tenant_id', 'd.tenant_id').andOnVal('c.provider', 'xero'))
    .where({ 'd.tenant_id': actor.tenantId, 'd.id': id }).first('d.external_id', 'd.updated_at', 'c.external_tenant_id', 'c.status');
  if (!row || row.status === 'disconnected') throw new Conflict('Xero is not connected: connect it again first');
  await db('webhook_events').insert({
    provider: 'xero', dedupe_key: `perpetua:${type}:${id}:${new Date(row.updated_at).getTime()}`, external_tenant_id: row.external_tenant_id, tenant_id: actor.tenantId,
    category: 'INVOICE', type, resource_id: row.external_id, event_date: db.fn.now(), payload: JSON.stringify({ requestedBy: actor.userId ?? null }),
  }).onConflict(['provider', 'dedupe_key']).ignore();
  return (await listDocuments(db, actor.tenantId, { id }))[0];
}
