import type { Invoices } from 'xero-node';
import { ConnectionWaitError, PushError } from '../../accounting-connector';
import { callXero, describe, XeroDeps } from '../api';
import { XeroConnection, xeroConnection } from '../connections';
import { NEEDS_RECONNECT } from '../tokens';
import { WebhookHandler } from '../../../jobs/webhook-worker';
import { Actor } from '../../../services/stock/types';
import { ExternalDocument, findDocument, saveDocument } from './documents';
import { billOutcome } from './bills';
import { beforeConnection, isActed, Result } from './outcomes';
import { DispatchMode, salesInvoiceOutcome } from './sales-invoices';
import { fromXero, XeroInvoice } from './xero-invoice';

/** Event types this app queues itself for an invoice (see requests.ts); Xero's are CREATE and UPDATE. */
export const REQUEST_TYPES = { dispatch: 'DISPATCH', retry: 'RETRY' } as const;

/**
 * The INVOICE webhook handler: the event names only the invoice, so it is fetched from Xero and
 * acted on by its type and status. Xero being unavailable (a retryable PushError from callXero)
 * is thrown, so the worker retries the event; a problem with the document itself is recorded on
 * it as 'failed' with the reason, and the event counts as processed. While the organisation is
 * disconnected the event waits (ConnectionWaitError) for it to be connected again.
 */
export function invoiceWebhookHandler(deps: XeroDeps): WebhookHandler {
  return async (event) => {
    if (!event.tenantId) {
      // A disconnected organisation no longer answers for its Xero tenant, but its bills must not be lost.
      const gone = await deps.db('accounting_connections').where({ provider: 'xero', external_tenant_id: event.externalTenantId, status: 'disconnected' }).first('id');
      if (gone) throw new ConnectionWaitError(`${NEEDS_RECONNECT}: disconnected; invoice ${event.resourceId} waits until it is connected again`);
      throw new Error(`No organisation here is connected to Xero organisation ${event.externalTenantId}`);
    }
    const payload = (event.payload ?? {}) as { requestedBy?: string | null };
    const requested = event.type === REQUEST_TYPES.dispatch;
    await syncInvoice(deps, event.tenantId, event.resourceId, { dispatch: requested, userId: requested ? payload.requestedBy ?? null : null });
  };
}

export type SyncOptions = { dispatch?: boolean; userId?: string | null; again?: boolean };

export async function syncInvoice(deps: XeroDeps, tenantId: string, invoiceId: string, opts: SyncOptions = {}): Promise<void> {
  const connection = await xeroConnection(deps.db, tenantId);
  if (!connection || connection.status !== 'connected') {
    // Nothing to fetch with: the event waits, without using up its attempts, for a reconnect.
    const why = connection?.status === 'needs_reconnect' ? 'Xero refused the connection' : 'disconnected';
    throw new ConnectionWaitError(`${NEEDS_RECONNECT}: ${why}; invoice ${invoiceId} waits until it is connected again`);
  }
  const inv = await fetchInvoice(deps, connection, invoiceId);
  if (!inv) return;
  const terms = await connectionTerms(deps, tenantId);
  const existing = await findDocument(deps.db, tenantId, inv.id);
  const actor: Actor = { tenantId, userId: opts.userId ?? null, role: 'admin' };
  const kind = inv.type === 'ACCPAY' ? 'bill' : 'sales_invoice';
  const preLive = existing && isActed(existing) ? null : beforeConnection(kind, inv, terms.connectedOn);
  const result = preLive ?? (kind === 'bill'
    ? await billOutcome(deps.db, actor, inv, existing)
    : await salesInvoiceOutcome(deps.db, actor, inv, existing, terms.dispatch, opts.dispatch ?? false));
  const saved = await saveDocument(deps.db, tenantId, {
    kind, externalId: inv.id, number: inv.number, contactName: inv.contactName, externalStatus: inv.status,
    externalUpdatedAt: inv.updatedAt, outcome: result.outcome, localId: result.localId ?? null, message: result.message,
  });
  if (!opts.again && overtaken(saved, result, inv)) await syncInvoice(deps, tenantId, invoiceId, { ...opts, again: true });
}

/**
 * Another worker handled the same invoice while this one fetched it, and the row's message may
 * not fit the row: this one acted on an older answer than the row now holds, or its newer answer
 * did nothing and was written over a row the other one acted on. Once more, from Xero as it is
 * now, puts the right words on it (the bill or dispatch is found, never made twice).
 */
function overtaken(saved: ExternalDocument, result: Result, inv: XeroInvoice): boolean {
  const newerStored = !!(saved.externalUpdatedAt && inv.updatedAt && saved.externalUpdatedAt > inv.updatedAt);
  return isActed(result) ? newerStored : isActed(saved) && !newerStored;
}

/** The organisation's choices for Xero documents, and the day it connected Xero (UTC, as clock.today()). */
async function connectionTerms(deps: XeroDeps, tenantId: string): Promise<{ dispatch: DispatchMode; connectedOn: string | null }> {
  const row = await deps.db('accounting_connections').where({ tenant_id: tenantId, provider: 'xero' }).first('sales_invoice_dispatch', 'created_at');
  return {
    dispatch: row?.sales_invoice_dispatch === 'auto' ? 'auto' : 'off',
    connectedOn: row?.created_at ? new Date(row.created_at).toISOString().slice(0, 10) : null,
  };
}

/**
 * GET /Invoices/{id} with unit amounts at 4 decimals (Xero rounds them to 2 otherwise). A 404
 * means the invoice is gone (or never was ours to see): nothing to do. Other refusals are not
 * the invoice's fault and are thrown, so the event is retried and, if it keeps failing, shown.
 */
async function fetchInvoice(deps: XeroDeps, c: XeroConnection, invoiceId: string): Promise<XeroInvoice | null> {
  const answer = await callXero<Invoices>(deps, c, (api, xeroTenantId) => api.getInvoice(xeroTenantId, invoiceId, 4));
  if (answer.status === 404) return null;
  if (answer.status < 200 || answer.status >= 300) throw new PushError(`Xero answered ${answer.status} for invoice ${invoiceId}: ${describe(answer.body)}`, false);
  const inv = answer.body?.invoices?.[0];
  if (!inv?.invoiceID) throw new PushError(`Xero answered without invoice ${invoiceId}`, true);
  const out = fromXero(inv);
  // Only bills and sales invoices come through this endpoint; anything else is not acted on.
  return out.type === 'ACCPAY' || out.type === 'ACCREC' ? out : null;
}
